import { viewOfLifecycle } from '../shared/http/schemas/lifecycle.ts';
import { createHandler, serveRoutes } from '../shared/http/handler.ts';
import { mlflowSearchRuns } from '../shared/http/mlflow/handlers/search-runs-post.ts';
import { searchRunsPostRoute } from '../shared/http/routes/search-runs-post.ts';
import { searchRunsAnswer } from '../shared/http/views.ts';
import { searchDeps } from '../shared/runtime.ts';
import { searchRuns } from '../shared/use-cases/search.ts';
import { sealPageTokensWithDeploymentSecret } from '../shared/runtime-page-tokens.ts';

sealPageTokensWithDeploymentSecret();

const deps = searchDeps();

export const handler = serveRoutes(
  createHandler(searchRunsPostRoute, async ({ body }, { scope }) => {
    const result = await searchRuns(
      scope,
      {
        experimentIds: body.experiment_ids,
        experimentNames: body.experiment_names,
        filter: body.filter,
        orderBy: body.order_by,
        limit: body.max_results,
        pageToken: body.page_token,
        view: viewOfLifecycle(body.lifecycle),
      },
      deps,
    );
    return searchRunsAnswer(result);
  }),
  mlflowSearchRuns,
);
