import { createHandler, serveRoutes } from '../shared/http/handler.ts';
import { mlflowCreateRun } from '../shared/http/mlflow/handlers/create-run.ts';
import { startRunInput } from '../shared/http/inputs.ts';
import { createRunRoute } from '../shared/http/routes/create-run.ts';
import { runDetailsView } from '../shared/http/views.ts';
import { runCreateDeps } from '../shared/runtime.ts';
import { startRun } from '../shared/use-cases/runs.ts';

const deps = runCreateDeps();

export const handler = serveRoutes(
  createHandler(createRunRoute, async ({ path, body, headers }, { scope }) => ({
    body: runDetailsView(await startRun(scope, path.experiment_id, startRunInput(body, headers), deps)),
  })),
  mlflowCreateRun,
);
