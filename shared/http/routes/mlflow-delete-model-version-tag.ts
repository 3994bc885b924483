import { defineRoute } from '../route-definition.ts';
import { mlflowObject } from '../mlflow/schemas.ts';
import { deleteModelVersionTagBody } from '../mlflow/registry-schemas.ts';

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
  response: { status: 200, description: "MLflow's answer: {}", body: mlflowObject },
  table: { actions: ['GetItem', 'UpdateItem'] },
});
