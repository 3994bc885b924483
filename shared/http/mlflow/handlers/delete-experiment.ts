import { deleteExperiment } from '../../../use-cases/lifecycle.ts';
import { createMlflowHandler } from '../handler.ts';
import { mlflowDeleteExperimentRoute } from '../../routes/mlflow-delete-experiment.ts';
import { trackingDeps } from '../../../runtime.ts';

const deps = () => trackingDeps();

export const mlflowDeleteExperiment = createMlflowHandler(mlflowDeleteExperimentRoute, async ({ body }, { scope }) => {
  // MLflow's server answers 404 for an experiment already deleted (it looks among the active ones).
  await deleteExperiment(scope, body.experiment_id, deps(), { unchangedIsNotFound: true });
  return { body: {} };
});
