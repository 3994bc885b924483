import { createHandler, serveRoutes } from '../shared/http/handler.ts';
import { mlflowDeleteRun } from '../shared/http/mlflow/handlers/delete-run.ts';
import { deleteRunRoute } from '../shared/http/routes/delete-run.ts';
import { runView } from '../shared/http/views.ts';
import { trackingDeps } from '../shared/runtime.ts';
import { deleteRun } from '../shared/use-cases/lifecycle.ts';

const deps = trackingDeps();

export const handler = serveRoutes(
  createHandler(deleteRunRoute, async ({ path }, { scope }) => ({
    body: runView(await deleteRun(scope, path.run_id, deps)),
  })),
  mlflowDeleteRun,
);
