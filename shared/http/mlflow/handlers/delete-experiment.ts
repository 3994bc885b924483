import { deleteExperiment } from '../../../use-cases/lifecycle.ts';
import { createMlflowHandler } from '../handler.ts';
import { mlflowDeleteExperimentRoute } from '../../routes/mlflow-delete-experiment.ts';
import { trackingDeps } from '../../../runtime.ts';

const deps = () => trackingDeps();

export const mlflowDeleteExperiment = createMlflowHandler(mlflowDeleteExperimentRoute, async ({ body }, { scope }) => {
  await deleteExperiment(scope, body.experiment_id, deps());
  return { body: {} };
});
