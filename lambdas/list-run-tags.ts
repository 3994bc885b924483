import { createHandler } from '../shared/http/handler.ts';
import { listRunTagsRoute } from '../shared/http/routes/list-run-tags.ts';
import { runReader } from '../shared/runtime.ts';
import { sealPageTokensWithDeploymentSecret } from '../shared/runtime-page-tokens.ts';
import { listRunEntries } from '../shared/use-cases/run-entries.ts';

sealPageTokensWithDeploymentSecret();

const deps = { runs: runReader() };

export const handler = createHandler(listRunTagsRoute, async ({ path, query }, { scope }) => {
  const input = { limit: query.max_results, pageToken: query.page_token };
  const page = await listRunEntries(scope, path.run_id, 'tags', input, deps);
  return { body: { tags: page.entries, next_page_token: page.cursor } };
});
