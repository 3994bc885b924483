import { registryRecordDeps } from '../../../runtime.ts';
import { getModelVersion } from '../../../use-cases/model-registry.ts';
import { createMlflowHandler } from '../handler.ts';
import { mlflowGetModelVersionRoute } from '../../routes/mlflow-get-model-version.ts';
import { mlflowModelVersion } from '../registry-views.ts';

export const mlflowGetModelVersion = createMlflowHandler(mlflowGetModelVersionRoute, async ({ query }, { scope }) => ({
  body: {
    model_version: mlflowModelVersion(await getModelVersion(scope, query.name, query.version, registryRecordDeps())),
  },
}));
