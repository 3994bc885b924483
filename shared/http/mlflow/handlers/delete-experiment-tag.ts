import { deleteExperimentTag } from '../../../use-cases/lifecycle.ts';
import { createMlflowHandler } from '../handler.ts';
import { mlflowDeleteExperimentTagRoute } from '../../routes/mlflow-delete-experiment-tag.ts';
import { trackingDeps } from '../../../runtime.ts';

const deps = () => trackingDeps();

export const mlflowDeleteExperimentTag = createMlflowHandler(
  mlflowDeleteExperimentTagRoute,
  async ({ body }, { scope }) => {
    await deleteExperimentTag(scope, body.experiment_id, body.key, deps());
    return { body: {} };
  },
);
