import { defineRoute } from '../route-definition.ts';
import { deleteModelVersionTagBody, mlflowRegistryObject } from '../mlflow/registry-schemas.ts';

export const mlflowDeleteModelVersionTagRoute = defineRoute({
  operationId: 'mlflowDeleteModelVersionTag',
  dialect: 'mlflow',
  method: 'DELETE',
  path: '/api/2.0/mlflow/model-versions/delete-tag',
  entry: 'lambdas/update-model-version.ts',
  summary: 'Delete a tag of a model version (MLflow)',
  access: 'write',
  tag: 'mlflow',
  request: { body: deleteModelVersionTagBody },
  response: { status: 200, description: "MLflow's answer: {}", body: mlflowRegistryObject },
  table: { actions: ['GetItem', 'UpdateItem'] },
});
