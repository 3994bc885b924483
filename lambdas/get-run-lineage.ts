import { createHandler, serveRoutes } from '../shared/http/handler.ts';
import { runLineageView } from '../shared/http/run-lineage-view.ts';
import { getRunLineageRoute } from '../shared/http/routes/get-run-lineage.ts';
import { loggedModelDeps } from '../shared/runtime.ts';
import { getRunLineage } from '../shared/use-cases/logged-models.ts';

const deps = loggedModelDeps();

export const handler = serveRoutes(
  createHandler(getRunLineageRoute, async ({ path }, { scope }) => ({
    body: runLineageView(path.run_id, await getRunLineage(scope, path.run_id, deps)),
  })),
);
