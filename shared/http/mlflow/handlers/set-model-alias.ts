import { registryRecordDeps } from '../../../runtime.ts';
import { setModelAlias } from '../../../use-cases/model-registry.ts';
import { createMlflowHandler } from '../handler.ts';
import { mlflowAliasToSet, onMlflowVersion } from '../registry-refs.ts';
import { mlflowSetRegisteredModelAliasRoute } from '../../routes/mlflow-set-registered-model-alias.ts';

export const mlflowSetRegisteredModelAlias = createMlflowHandler(
  mlflowSetRegisteredModelAliasRoute,
  async ({ body }, { scope, principal }) => {
    // MLflow's server checks the alias's name before it reads the model or the version.
    const alias = mlflowAliasToSet(body.alias);
    await onMlflowVersion(body.name, body.version, (version) =>
      setModelAlias(scope, principal, body.name, alias, version, registryRecordDeps()),
    );
    return { body: {} };
  },
);
