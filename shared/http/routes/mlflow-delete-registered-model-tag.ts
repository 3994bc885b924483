import { defineRoute } from '../route-definition.ts';
import { deleteRegisteredModelTagBody, mlflowRegistryObject } from '../mlflow/registry-schemas.ts';

export const mlflowDeleteRegisteredModelTagRoute = defineRoute({
  operationId: 'mlflowDeleteRegisteredModelTag',
  dialect: 'mlflow',
  method: 'DELETE',
  path: '/api/2.0/mlflow/registered-models/delete-tag',
  entry: 'lambdas/update-registered-model.ts',
  summary: 'Delete a tag of a registered model (MLflow)',
  access: 'write',
  tag: 'mlflow',
  request: { body: deleteRegisteredModelTagBody },
  response: { status: 200, description: "MLflow's answer: {}", body: mlflowRegistryObject },
  table: { actions: ['GetItem', 'UpdateItem', 'PutItem', 'DeleteItem'] },
});
