import { renameExperiment } from '../../../use-cases/lifecycle.ts';
import { createMlflowHandler } from '../handler.ts';
import { mlflowUpdateExperimentRoute } from '../../routes/mlflow-update-experiment.ts';
import { trackingDeps } from '../../../runtime.ts';

const deps = () => trackingDeps();

export const mlflowUpdateExperiment = createMlflowHandler(mlflowUpdateExperimentRoute, async ({ body }, { scope }) => {
  await renameExperiment(scope, body.experiment_id, body.new_name, deps());
  return { body: {} };
});
