import { createHandler, serveRoutes } from '../shared/http/handler.ts';
import { mlflowGetExperimentByName } from '../shared/http/mlflow/handlers/get-experiment-by-name.ts';
import { getExperimentByNameRoute } from '../shared/http/routes/get-experiment-by-name.ts';
import { experimentView } from '../shared/http/views.ts';
import { trackingDeps } from '../shared/runtime.ts';
import { getExperimentByName } from '../shared/use-cases/experiments.ts';

const deps = trackingDeps();

export const handler = serveRoutes(
  createHandler(getExperimentByNameRoute, async ({ path }, { scope }) => ({
    body: experimentView(await getExperimentByName(scope, path.experiment_name, deps)),
  })),
  mlflowGetExperimentByName,
);
