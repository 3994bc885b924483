import { registryRecordDeps } from '../../../runtime.ts';
import { deleteModelVersion } from '../../../use-cases/model-registry.ts';
import { createMlflowHandler } from '../handler.ts';
import { mlflowDeleteModelVersionRoute } from '../../routes/mlflow-delete-model-version.ts';

export const mlflowDeleteModelVersion = createMlflowHandler(
  mlflowDeleteModelVersionRoute,
  async ({ body }, { scope, principal }) => {
    await deleteModelVersion(scope, principal, body.name, body.version, registryRecordDeps());
    return { body: {} };
  },
);
