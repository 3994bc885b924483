import { tokenView } from '../shared/http/access-views.ts';
import { createHandler } from '../shared/http/handler.ts';
import { createTokenRoute } from '../shared/http/routes/create-token.ts';
import { accessDeps } from '../shared/runtime.ts';
import { createToken } from '../shared/use-cases/access.ts';

const deps = accessDeps();

export const handler = createHandler(createTokenRoute, async ({ body }, { principal }) => {
  const created = await createToken(principal, { scope: body.scope, name: body.name }, deps);
  return { body: { ...tokenView(created.record), token: created.token } };
});
