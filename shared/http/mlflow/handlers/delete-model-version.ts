import { registryRecordDeps } from '../../../runtime.ts';
import { deleteModelVersion } from '../../../use-cases/model-registry.ts';
import { createMlflowHandler } from '../handler.ts';
import { onMlflowVersion } from '../registry-refs.ts';
import { mlflowDeleteModelVersionRoute } from '../../routes/mlflow-delete-model-version.ts';

export const mlflowDeleteModelVersion = createMlflowHandler(
  mlflowDeleteModelVersionRoute,
  async ({ body }, { scope, principal }) => {
    await onMlflowVersion(body.name, body.version, (version) =>
      deleteModelVersion(scope, principal, body.name, version, registryRecordDeps()),
    );
    return { body: {} };
  },
);
