import { createHandler, serveRoutes } from '../shared/http/handler.ts';
import { mlflowRestoreRun } from '../shared/http/mlflow/handlers/restore-run.ts';
import { restoreRunRoute } from '../shared/http/routes/restore-run.ts';
import { runView } from '../shared/http/views.ts';
import { trackingDeps } from '../shared/runtime.ts';
import { restoreRun } from '../shared/use-cases/lifecycle.ts';

const deps = trackingDeps();

export const handler = serveRoutes(
  createHandler(restoreRunRoute, async ({ path }, { scope }) => ({
    body: runView(await restoreRun(scope, path.run_id, deps)),
  })),
  mlflowRestoreRun,
);
