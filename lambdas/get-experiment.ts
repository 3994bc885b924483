import { createHandler, serveRoutes } from '../shared/http/handler.ts';
import { mlflowGetExperiment } from '../shared/http/mlflow/handlers/get-experiment.ts';
import { getExperimentRoute } from '../shared/http/routes/get-experiment.ts';
import { experimentView } from '../shared/http/views.ts';
import { trackingDeps } from '../shared/runtime.ts';
import { getExperiment } from '../shared/use-cases/experiments.ts';

const deps = trackingDeps();

export const handler = serveRoutes(
  createHandler(getExperimentRoute, async ({ path }, { scope }) => ({
    body: experimentView(await getExperiment(scope, path.experiment_id, deps)),
  })),
  mlflowGetExperiment,
);
