import { registryRecordDeps } from '../../../runtime.ts';
import { deleteModelAlias } from '../../../use-cases/model-registry.ts';
import { createHandler } from '../../handler.ts';
import { mlflowDeleteRegisteredModelAliasRoute } from '../../routes/mlflow-delete-registered-model-alias.ts';

export const mlflowDeleteRegisteredModelAlias = createHandler(
  mlflowDeleteRegisteredModelAliasRoute,
  async ({ body }, { scope, principal }) => {
    await deleteModelAlias(scope, principal, body.name, body.alias, registryRecordDeps());
    return { body: {} };
  },
);
