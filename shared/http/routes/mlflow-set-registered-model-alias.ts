import { defineRoute } from '../route-definition.ts';
import { mlflowRegistryObject, setAliasBody } from '../mlflow/registry-schemas.ts';

export const mlflowSetRegisteredModelAliasRoute = defineRoute({
  operationId: 'mlflowSetRegisteredModelAlias',
  dialect: 'mlflow',
  method: 'POST',
  path: '/api/2.0/mlflow/registered-models/alias',
  entry: 'lambdas/set-model-alias.ts',
  summary: 'Point an alias at a version; the move is recorded in the alias history (MLflow)',
  access: 'write',
  tag: 'mlflow',
  request: { body: setAliasBody },
  response: { status: 200, description: "MLflow's answer: {}", body: mlflowRegistryObject },
  table: { actions: ['GetItem', 'UpdateItem', 'PutItem'] },
});
