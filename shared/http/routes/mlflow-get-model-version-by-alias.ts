import { defineRoute } from '../route-definition.ts';
import { aliasQuery, mlflowRegistryObject } from '../mlflow/registry-schemas.ts';

export const mlflowGetModelVersionByAliasRoute = defineRoute({
  operationId: 'mlflowGetModelVersionByAlias',
  dialect: 'mlflow',
  method: 'GET',
  path: '/api/2.0/mlflow/registered-models/alias',
  entry: 'lambdas/get-model-version-by-alias.ts',
  summary: 'The version an alias points at, or `latest`: the highest version (MLflow)',
  access: 'read',
  tag: 'mlflow',
  request: { query: aliasQuery },
  response: { status: 200, description: 'MLflow\'s answer: {"model_version"}', body: mlflowRegistryObject },
  // Query: `latest` reads the model's highest version number.
  table: { actions: ['GetItem', 'Query'] },
});
