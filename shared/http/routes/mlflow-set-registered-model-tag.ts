import { defineRoute } from '../route-definition.ts';
import { mlflowObject } from '../mlflow/schemas.ts';
import { setRegisteredModelTagBody } from '../mlflow/registry-schemas.ts';

export const mlflowSetRegisteredModelTagRoute = defineRoute({
  operationId: 'mlflowSetRegisteredModelTag',
  dialect: 'mlflow',
  method: 'POST',
  path: '/api/2.0/mlflow/registered-models/set-tag',
  entry: 'lambdas/update-registered-model.ts',
  summary: 'Set a tag on a registered model (MLflow)',
  access: 'write',
  tag: 'mlflow',
  request: { body: setRegisteredModelTagBody },
  response: { status: 200, description: "MLflow's answer: {}", body: mlflowObject },
  table: { actions: ['GetItem', 'UpdateItem', 'PutItem', 'DeleteItem'] },
});
