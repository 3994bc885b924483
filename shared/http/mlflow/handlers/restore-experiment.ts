import { restoreExperiment } from '../../../use-cases/lifecycle.ts';
import { createMlflowHandler } from '../handler.ts';
import { mlflowRestoreExperimentRoute } from '../../routes/mlflow-restore-experiment.ts';
import { trackingDeps } from '../../../runtime.ts';

const deps = () => trackingDeps();

export const mlflowRestoreExperiment = createMlflowHandler(
  mlflowRestoreExperimentRoute,
  async ({ body }, { scope }) => {
    // MLflow's server answers 404 for an experiment that is not deleted (it looks among the deleted ones).
    await restoreExperiment(scope, body.experiment_id, deps(), { unchangedIsNotFound: true });
    return { body: {} };
  },
);
