import { StratusError } from '../../../errors.ts';
import { registryRecordDeps } from '../../../runtime.ts';
import { deleteModelAlias } from '../../../use-cases/model-registry.ts';
import { createMlflowHandler } from '../handler.ts';
import { mlflowDeleteRegisteredModelAliasRoute } from '../../routes/mlflow-delete-registered-model-alias.ts';

/**
 * MLflow's server deletes an alias the model does not have without complaint (the
 * model must exist): so does this route, and the history records nothing for it.
 */
export const mlflowDeleteRegisteredModelAlias = createMlflowHandler(
  mlflowDeleteRegisteredModelAliasRoute,
  async ({ body }, { scope, principal }) => {
    try {
      await deleteModelAlias(scope, principal, body.name, body.alias, registryRecordDeps());
    } catch (error) {
      if (!(error instanceof StratusError && error.code === 'alias.not_found')) throw error;
    }
    return { body: {} };
  },
);
