import { defineRoute } from '../route-definition.ts';
import { deleteTagBody } from '../mlflow/run-schemas.ts';
import { mlflowObject } from '../mlflow/fields.ts';

export const mlflowDeleteTagRoute = defineRoute({
  operationId: 'mlflowDeleteTag',
  dialect: 'mlflow',
  method: 'POST',
  path: '/api/2.0/mlflow/runs/delete-tag',
  entry: 'lambdas/delete-run-tag.ts',
  summary: 'Delete a tag of a run (MLflow)',
  access: 'write',
  tag: 'mlflow',
  request: { body: deleteTagBody },
  response: { status: 200, description: "MLflow's answer: {}", body: mlflowObject },
  table: { actions: ['GetItem', 'BatchGetItem', 'PutItem', 'UpdateItem', 'BatchWriteItem'] },
});
