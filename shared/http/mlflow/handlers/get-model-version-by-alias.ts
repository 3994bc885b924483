import { registryRecordDeps } from '../../../runtime.ts';
import { getModelVersionByAlias } from '../../../use-cases/model-registry.ts';
import { createMlflowHandler } from '../handler.ts';
import { mlflowGetModelVersionByAliasRoute } from '../../routes/mlflow-get-model-version-by-alias.ts';
import { mlflowModelVersion } from '../registry-views.ts';

export const mlflowGetModelVersionByAlias = createMlflowHandler(
  mlflowGetModelVersionByAliasRoute,
  async ({ query }, { scope }) => ({
    body: {
      model_version: mlflowModelVersion(
        await getModelVersionByAlias(scope, query.name, query.alias, registryRecordDeps()),
      ),
    },
  }),
);
