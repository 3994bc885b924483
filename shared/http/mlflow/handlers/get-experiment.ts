import { getExperiment } from '../../../use-cases/experiments.ts';
import { createHandler } from '../../handler.ts';
import { mlflowGetExperimentRoute } from '../../routes/mlflow-get-experiment.ts';
import { mlflowExperiment } from '../views.ts';
import { trackingDeps } from '../../../runtime.ts';

const deps = () => trackingDeps();

export const mlflowGetExperiment = createHandler(mlflowGetExperimentRoute, async ({ query }, { scope }) => ({
  body: { experiment: mlflowExperiment(await getExperiment(scope, query.experiment_id, deps())) },
}));
