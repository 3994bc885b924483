import { createHandler, serveRoutes } from '../shared/http/handler.ts';
import { mlflowRestoreExperiment } from '../shared/http/mlflow/handlers/restore-experiment.ts';
import { restoreExperimentRoute } from '../shared/http/routes/restore-experiment.ts';
import { experimentView } from '../shared/http/views.ts';
import { trackingDeps } from '../shared/runtime.ts';
import { restoreExperiment } from '../shared/use-cases/lifecycle.ts';

const deps = trackingDeps();

export const handler = serveRoutes(
  createHandler(restoreExperimentRoute, async ({ path }, { scope }) => ({
    body: experimentView(await restoreExperiment(scope, path.experiment_id, deps)),
  })),
  mlflowRestoreExperiment,
);
