import { createHandler } from '../shared/http/handler.ts';
import { listRunParamsRoute } from '../shared/http/routes/list-run-params.ts';
import { runReader } from '../shared/runtime.ts';
import { sealPageTokensWithDeploymentSecret } from '../shared/runtime-page-tokens.ts';
import { listRunEntries } from '../shared/use-cases/run-entries.ts';

sealPageTokensWithDeploymentSecret();

const deps = { runs: runReader() };

export const handler = createHandler(listRunParamsRoute, async ({ path, query }, { scope }) => {
  const input = { limit: query.max_results, pageToken: query.page_token };
  const page = await listRunEntries(scope, path.run_id, 'params', input, deps);
  return { body: { params: page.entries, next_page_token: page.cursor } };
});
