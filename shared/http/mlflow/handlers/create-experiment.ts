import { createExperiment } from '../../../use-cases/experiments.ts';
import { createMlflowHandler } from '../handler.ts';
import { tagMap } from '../inputs.ts';
import { mlflowCreateExperimentRoute } from '../../routes/mlflow-create-experiment.ts';
import { trackingDeps } from '../../../runtime.ts';

const deps = () => trackingDeps();

export const mlflowCreateExperiment = createMlflowHandler(mlflowCreateExperimentRoute, async ({ body }, { scope }) => {
  const experiment = await createExperiment(scope, { name: body.name, tags: tagMap(body.tags) }, deps());
  return { body: { experiment_id: experiment.experimentId } };
});
