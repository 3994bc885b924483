import { defineRoute } from '../route-definition.ts';
import { mlflowObject } from '../mlflow/schemas.ts';
import { createRegisteredModelBody } from '../mlflow/registry-schemas.ts';

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
  response: { status: 200, description: 'MLflow\'s answer: {"registered_model"}', body: mlflowObject },
  table: { actions: ['GetItem', 'PutItem'] },
});
