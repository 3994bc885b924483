import { registryRecordDeps } from '../../../runtime.ts';
import { deleteRegisteredModel } from '../../../use-cases/model-registry.ts';
import { createHandler } from '../../handler.ts';
import { mlflowDeleteRegisteredModelRoute } from '../../routes/mlflow-delete-registered-model.ts';

export const mlflowDeleteRegisteredModel = createHandler(
  mlflowDeleteRegisteredModelRoute,
  async ({ body }, { scope, principal }) => {
    await deleteRegisteredModel(scope, principal, body.name, registryRecordDeps());
    return { body: {} };
  },
);
