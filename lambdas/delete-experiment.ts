import { createHandler, serveRoutes } from '../shared/http/handler.ts';
import { mlflowDeleteExperiment } from '../shared/http/mlflow/handlers/delete-experiment.ts';
import { deleteExperimentRoute } from '../shared/http/routes/delete-experiment.ts';
import { experimentView } from '../shared/http/views.ts';
import { trackingDeps } from '../shared/runtime.ts';
import { deleteExperiment } from '../shared/use-cases/lifecycle.ts';

const deps = trackingDeps();

export const handler = serveRoutes(
  createHandler(deleteExperimentRoute, async ({ path }, { scope }) => ({
    body: experimentView(await deleteExperiment(scope, path.experiment_id, deps)),
  })),
  mlflowDeleteExperiment,
);
