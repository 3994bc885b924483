import { defineRoute } from '../route-definition.ts';
import { createRegisteredModelBody, mlflowRegistryObject } from '../mlflow/registry-schemas.ts';

export const mlflowCreateRegisteredModelRoute = defineRoute({
  operationId: 'mlflowCreateRegisteredModel',
  dialect: 'mlflow',
  method: 'POST',
  path: '/api/2.0/mlflow/registered-models/create',
  entry: 'lambdas/create-registered-model.ts',
  summary: 'Create a registered model (MLflow)',
  access: 'write',
  tag: 'mlflow',
  request: { body: createRegisteredModelBody },
  response: { status: 200, description: 'MLflow\'s answer: {"registered_model"}', body: mlflowRegistryObject },
  table: { actions: ['GetItem', 'PutItem'] },
});
