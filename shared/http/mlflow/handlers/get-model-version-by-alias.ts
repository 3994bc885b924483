import { NotFoundError } from '../../../errors.ts';
import { registryRecordDeps } from '../../../runtime.ts';
import {
  getModelVersionByAlias,
  getNewestModelVersion,
  getRegisteredModel,
} from '../../../use-cases/model-registry.ts';
import { createMlflowHandler } from '../handler.ts';
import { mlflowAlias } from '../registry-refs.ts';
import { mlflowGetModelVersionByAliasRoute } from '../../routes/mlflow-get-model-version-by-alias.ts';
import { mlflowModelVersion } from '../registry-views.ts';

/**
 * The version an alias points at, as MLflow's server reads it: `latest` (any case) is the
 * model's highest version, and a version's name (`v1`), which no alias can have, is not found.
 */
export const mlflowGetModelVersionByAlias = createMlflowHandler(
  mlflowGetModelVersionByAliasRoute,
  async ({ query }, { scope }) => {
    const deps = registryRecordDeps();
    const kind = mlflowAlias(query.alias);
    if (kind === 'version') {
      await getRegisteredModel(scope, query.name, deps);
      throw new NotFoundError('alias', `${query.name}@${query.alias}`);
    }
    const version =
      kind === 'latest'
        ? await getNewestModelVersion(scope, query.name, deps)
        : await getModelVersionByAlias(scope, query.name, query.alias, deps);
    return { body: { model_version: mlflowModelVersion(version) } };
  },
);
