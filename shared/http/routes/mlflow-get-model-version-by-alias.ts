import { defineRoute } from '../route-definition.ts';
import { aliasQuery, mlflowRegistryObject } from '../mlflow/registry-schemas.ts';

export const mlflowGetModelVersionByAliasRoute = defineRoute({
  operationId: 'mlflowGetModelVersionByAlias',
  dialect: 'mlflow',
  method: 'GET',
  path: '/api/2.0/mlflow/registered-models/alias',
  entry: 'lambdas/get-model-version-by-alias.ts',
  summary: 'The version an alias points at (MLflow)',
  access: 'read',
  tag: 'mlflow',
  request: { query: aliasQuery },
  response: { status: 200, description: 'MLflow\'s answer: {"model_version"}', body: mlflowRegistryObject },
  table: { actions: ['GetItem'] },
});
