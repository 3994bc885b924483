import { tokenView } from '../shared/http/access-views.ts';
import { createHandler } from '../shared/http/handler.ts';
import { routes } from '../shared/http/routes.ts';
import { accessDeps } from '../shared/runtime.ts';
import { revokeToken } from '../shared/use-cases/access.ts';

const deps = accessDeps();

export const handler = createHandler(routes.revokeToken, async ({ path }, { principal }) => ({
  body: tokenView(await revokeToken(principal, path.token_id, deps)),
}));
