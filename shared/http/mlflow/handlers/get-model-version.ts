import { registryRecordDeps } from '../../../runtime.ts';
import { getModelVersion } from '../../../use-cases/model-registry.ts';
import { createMlflowHandler } from '../handler.ts';
import { onMlflowVersion } from '../registry-refs.ts';
import { mlflowGetModelVersionRoute } from '../../routes/mlflow-get-model-version.ts';
import { mlflowModelVersion } from '../registry-views.ts';

export const mlflowGetModelVersion = createMlflowHandler(mlflowGetModelVersionRoute, async ({ query }, { scope }) => ({
  body: {
    model_version: mlflowModelVersion(
      await onMlflowVersion(query.name, query.version, (version) =>
        getModelVersion(scope, query.name, version, registryRecordDeps()),
      ),
    ),
  },
}));
