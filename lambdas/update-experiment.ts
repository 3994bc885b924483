import { createHandler, serveRoutes } from '../shared/http/handler.ts';
import { mlflowUpdateExperiment } from '../shared/http/mlflow/handlers/update-experiment.ts';
import { updateExperimentRoute } from '../shared/http/routes/update-experiment.ts';
import { experimentView } from '../shared/http/views.ts';
import { trackingDeps } from '../shared/runtime.ts';
import { renameExperiment } from '../shared/use-cases/lifecycle.ts';

const deps = trackingDeps();

export const handler = serveRoutes(
  createHandler(updateExperimentRoute, async ({ path, body }, { scope }) => ({
    body: experimentView(await renameExperiment(scope, path.experiment_id, body.experiment_name, deps)),
  })),
  mlflowUpdateExperiment,
);
