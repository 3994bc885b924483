import { defineRoute } from '../route-definition.ts';
import { aliasBody, mlflowRegistryObject } from '../mlflow/registry-schemas.ts';

export const mlflowDeleteRegisteredModelAliasRoute = defineRoute({
  operationId: 'mlflowDeleteRegisteredModelAlias',
  dialect: 'mlflow',
  method: 'DELETE',
  path: '/api/2.0/mlflow/registered-models/alias',
  entry: 'lambdas/delete-model-alias.ts',
  summary: 'Remove an alias; the removal is recorded in the alias history (MLflow)',
  access: 'write',
  tag: 'mlflow',
  request: { body: aliasBody },
  response: { status: 200, description: "MLflow's answer: {}", body: mlflowRegistryObject },
  table: { actions: ['GetItem', 'UpdateItem', 'PutItem'] },
});
