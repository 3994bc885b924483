import { splitOrderBy } from '../shared/domain/search/parser.ts';
import { viewOfLifecycle } from '../shared/http/schemas/lifecycle.ts';
import { createHandler } from '../shared/http/handler.ts';
import { searchRunsRoute } from '../shared/http/routes/search-runs.ts';
import { searchRunsAnswer } from '../shared/http/views.ts';
import { searchDeps } from '../shared/runtime.ts';
import { searchRuns } from '../shared/use-cases/search.ts';
import { sealPageTokensWithDeploymentSecret } from '../shared/runtime-page-tokens.ts';

sealPageTokensWithDeploymentSecret();

const deps = searchDeps();

export const handler = createHandler(searchRunsRoute, async ({ query }, { scope }) => {
  const result = await searchRuns(
    scope,
    {
      experimentIds: query.experiment_id === undefined ? undefined : [query.experiment_id],
      experimentNames: query.experiment_name === undefined ? undefined : [query.experiment_name],
      filter: query.filter,
      orderBy: query.order_by === undefined ? undefined : splitOrderBy(query.order_by),
      limit: query.max_results,
      pageToken: query.page_token,
      view: viewOfLifecycle(query.lifecycle),
    },
    deps,
  );
  return searchRunsAnswer(result);
});
