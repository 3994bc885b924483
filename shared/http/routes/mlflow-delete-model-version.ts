import { defineRoute } from '../route-definition.ts';
import { mlflowRegistryObject, modelVersionBody } from '../mlflow/registry-schemas.ts';

export const mlflowDeleteModelVersionRoute = defineRoute({
  operationId: 'mlflowDeleteModelVersion',
  dialect: 'mlflow',
  method: 'DELETE',
  path: '/api/2.0/mlflow/model-versions/delete',
  entry: 'lambdas/delete-model-version.ts',
  summary: 'Delete a model version (admin): its aliases are removed and recorded, its number never reused (MLflow)',
  access: 'admin',
  tag: 'mlflow',
  request: { body: modelVersionBody },
  response: { status: 200, description: "MLflow's answer: {}", body: mlflowRegistryObject },
  table: { actions: ['GetItem', 'UpdateItem', 'DeleteItem', 'PutItem'] },
});
