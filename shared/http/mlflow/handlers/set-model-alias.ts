import { registryRecordDeps } from '../../../runtime.ts';
import { setModelAlias } from '../../../use-cases/model-registry.ts';
import { createMlflowHandler } from '../handler.ts';
import { mlflowSetRegisteredModelAliasRoute } from '../../routes/mlflow-set-registered-model-alias.ts';

export const mlflowSetRegisteredModelAlias = createMlflowHandler(
  mlflowSetRegisteredModelAliasRoute,
  async ({ body }, { scope, principal }) => {
    await setModelAlias(scope, principal, body.name, body.alias, body.version, registryRecordDeps());
    return { body: {} };
  },
);
