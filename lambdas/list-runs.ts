import { viewOfLifecycle } from '../shared/http/schemas/lifecycle.ts';
import { createHandler } from '../shared/http/handler.ts';
import { listRunsRoute } from '../shared/http/routes/list-runs.ts';
import { runView } from '../shared/http/views.ts';
import { trackingDeps } from '../shared/runtime.ts';
import { listRuns } from '../shared/use-cases/runs.ts';
import { sealPageTokensWithDeploymentSecret } from '../shared/runtime-page-tokens.ts';

sealPageTokensWithDeploymentSecret();

const deps = trackingDeps();

export const handler = createHandler(listRunsRoute, async ({ path, query }, { scope }) => {
  const page = await listRuns(
    scope,
    path.experiment_id,
    {
      limit: query.max_results,
      pageToken: query.page_token,
      status: query.status,
      view: viewOfLifecycle(query.lifecycle),
    },
    deps,
  );
  return { body: { runs: page.items.map(runView), next_page_token: page.cursor } };
});
