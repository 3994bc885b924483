import { tokenView } from '../shared/http/access-views.ts';
import { createHandler } from '../shared/http/handler.ts';
import { revokeTokenRoute } from '../shared/http/routes/revoke-token.ts';
import { accessDeps } from '../shared/runtime.ts';
import { revokeToken } from '../shared/use-cases/access.ts';

const deps = accessDeps();

export const handler = createHandler(revokeTokenRoute, async ({ path }, { principal }) => ({
  body: tokenView(await revokeToken(principal, path.token_id, deps)),
}));
