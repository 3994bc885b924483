import { StratusError } from '../../../errors.ts';
import { registryRecordDeps } from '../../../runtime.ts';
import { deleteModelAlias, getRegisteredModel } from '../../../use-cases/model-registry.ts';
import { createMlflowHandler } from '../handler.ts';
import { mlflowAlias } from '../registry-refs.ts';
import { mlflowDeleteRegisteredModelAliasRoute } from '../../routes/mlflow-delete-registered-model-alias.ts';

/**
 * MLflow's server deletes an alias the model does not have without complaint (the
 * model must exist): so does this route, and the history records nothing for it.
 * A reserved name (`latest`, `v1`), which no model can have, is such an alias.
 */
export const mlflowDeleteRegisteredModelAlias = createMlflowHandler(
  mlflowDeleteRegisteredModelAliasRoute,
  async ({ body }, { scope, principal }) => {
    const deps = registryRecordDeps();
    if (mlflowAlias(body.alias) !== 'alias') {
      await getRegisteredModel(scope, body.name, deps);
      return { body: {} };
    }
    try {
      await deleteModelAlias(scope, principal, body.name, body.alias, deps);
    } catch (error) {
      if (!(error instanceof StratusError && error.code === 'alias.not_found')) throw error;
    }
    return { body: {} };
  },
);
