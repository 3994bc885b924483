import { defineRoute } from '../route-definition.ts';
import { mlflowRegistryObject, setRegisteredModelTagBody } from '../mlflow/registry-schemas.ts';

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
  response: { status: 200, description: "MLflow's answer: {}", body: mlflowRegistryObject },
  table: { actions: ['GetItem', 'UpdateItem', 'PutItem', 'DeleteItem'] },
});
