import { setExperimentTags } from '../../../use-cases/lifecycle.ts';
import { createMlflowHandler } from '../handler.ts';
import { tagMap } from '../inputs.ts';
import { mlflowSetExperimentTagRoute } from '../../routes/mlflow-set-experiment-tag.ts';
import { trackingDeps } from '../../../runtime.ts';

const deps = () => trackingDeps();

export const mlflowSetExperimentTag = createMlflowHandler(mlflowSetExperimentTagRoute, async ({ body }, { scope }) => {
  await setExperimentTags(scope, body.experiment_id, tagMap([body]), deps());
  return { body: {} };
});
