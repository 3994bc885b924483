import { defineRoute } from '../route-definition.ts';
import { mlflowRegistryObject, modelNameQuery } from '../mlflow/registry-schemas.ts';

export const mlflowGetRegisteredModelRoute = defineRoute({
  operationId: 'mlflowGetRegisteredModel',
  dialect: 'mlflow',
  method: 'GET',
  path: '/api/2.0/mlflow/registered-models/get',
  entry: 'lambdas/get-registered-model.ts',
  summary: 'Get a registered model with its aliases and latest version (MLflow)',
  access: 'read',
  tag: 'mlflow',
  request: { query: modelNameQuery },
  response: { status: 200, description: 'MLflow\'s answer: {"registered_model"}', body: mlflowRegistryObject },
  table: { actions: ['GetItem', 'Query', 'BatchGetItem'] },
});
