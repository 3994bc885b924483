import { getExperiment } from '../../../use-cases/experiments.ts';
import { createMlflowHandler } from '../handler.ts';
import { mlflowGetExperimentRoute } from '../../routes/mlflow-get-experiment.ts';
import { mlflowExperiment } from '../views.ts';
import { trackingDeps } from '../../../runtime.ts';

const deps = () => trackingDeps();

export const mlflowGetExperiment = createMlflowHandler(mlflowGetExperimentRoute, async ({ query }, { scope }) => ({
  body: { experiment: mlflowExperiment(await getExperiment(scope, query.experiment_id, deps())) },
}));
