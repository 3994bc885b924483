import { registryRecordDeps } from '../../../runtime.ts';
import { deleteModelVersion } from '../../../use-cases/model-registry.ts';
import { createHandler } from '../../handler.ts';
import { mlflowDeleteModelVersionRoute } from '../../routes/mlflow-delete-model-version.ts';

export const mlflowDeleteModelVersion = createHandler(
  mlflowDeleteModelVersionRoute,
  async ({ body }, { scope, principal }) => {
    await deleteModelVersion(scope, principal, body.name, body.version, registryRecordDeps());
    return { body: {} };
  },
);
