import { registryRecordDeps } from '../../../runtime.ts';
import { deleteRegisteredModel } from '../../../use-cases/model-registry.ts';
import { createMlflowHandler } from '../handler.ts';
import { mlflowDeleteRegisteredModelRoute } from '../../routes/mlflow-delete-registered-model.ts';

export const mlflowDeleteRegisteredModel = createMlflowHandler(
  mlflowDeleteRegisteredModelRoute,
  async ({ body }, { scope, principal }) => {
    await deleteRegisteredModel(scope, principal, body.name, registryRecordDeps());
    return { body: {} };
  },
);
