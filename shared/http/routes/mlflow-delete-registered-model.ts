import { defineRoute } from '../route-definition.ts';
import { mlflowRegistryObject, modelNameBody } from '../mlflow/registry-schemas.ts';

export const mlflowDeleteRegisteredModelRoute = defineRoute({
  operationId: 'mlflowDeleteRegisteredModel',
  dialect: 'mlflow',
  method: 'DELETE',
  path: '/api/2.0/mlflow/registered-models/delete',
  entry: 'lambdas/delete-registered-model.ts',
  summary: 'Delete a registered model with all its versions and alias history (admin; MLflow)',
  access: 'admin',
  tag: 'mlflow',
  request: { body: modelNameBody },
  response: { status: 200, description: "MLflow's answer: {}", body: mlflowRegistryObject },
  table: { actions: ['GetItem', 'UpdateItem', 'DeleteItem', 'Query', 'BatchWriteItem'] },
});
