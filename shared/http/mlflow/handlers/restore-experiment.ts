import { restoreExperiment } from '../../../use-cases/lifecycle.ts';
import { createMlflowHandler } from '../handler.ts';
import { mlflowRestoreExperimentRoute } from '../../routes/mlflow-restore-experiment.ts';
import { trackingDeps } from '../../../runtime.ts';

const deps = () => trackingDeps();

export const mlflowRestoreExperiment = createMlflowHandler(
  mlflowRestoreExperimentRoute,
  async ({ body }, { scope }) => {
    await restoreExperiment(scope, body.experiment_id, deps());
    return { body: {} };
  },
);
