import { createHandler } from '../shared/http/handler.ts';
import { routes } from '../shared/http/routes.ts';
import { runView } from '../shared/http/views.ts';
import { trackingDeps } from '../shared/runtime.ts';
import { listRuns } from '../shared/use-cases/runs.ts';

const deps = trackingDeps();

export const handler = createHandler(routes.listRuns, async ({ path, query }, { scope }) => {
  const page = await listRuns(
    scope,
    path.experiment_id,
    { limit: query.max_results, pageToken: query.page_token, status: query.status },
    deps,
  );
  return { body: { runs: page.items.map(runView), next_page_token: page.cursor } };
});
