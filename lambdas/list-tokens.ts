import { tokenView } from '../shared/http/access-views.ts';
import { createHandler } from '../shared/http/handler.ts';
import { listTokensRoute } from '../shared/http/routes/list-tokens.ts';
import { accessDeps } from '../shared/runtime.ts';
import { listTokens } from '../shared/use-cases/access.ts';
import { sealPageTokensWithDeploymentSecret } from '../shared/runtime-page-tokens.ts';

sealPageTokensWithDeploymentSecret();

const deps = accessDeps();

export const handler = createHandler(listTokensRoute, async ({ query }, { principal }) => {
  const page = await listTokens(principal, { limit: query.max_results, pageToken: query.page_token }, deps);
  return { body: { tokens: page.items.map(tokenView), next_page_token: page.cursor } };
});
