import { getExperimentByName } from '../../../use-cases/experiments.ts';
import { createMlflowHandler } from '../handler.ts';
import { mlflowGetExperimentByNameRoute } from '../../routes/mlflow-get-experiment-by-name.ts';
import { mlflowExperiment } from '../views.ts';
import { trackingDeps } from '../../../runtime.ts';

const deps = () => trackingDeps();

export const mlflowGetExperimentByName = createMlflowHandler(
  mlflowGetExperimentByNameRoute,
  async ({ query }, { scope }) => ({
    body: { experiment: mlflowExperiment(await getExperimentByName(scope, query.experiment_name, deps())) },
  }),
);
