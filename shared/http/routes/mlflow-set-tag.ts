import { defineRoute } from '../route-definition.ts';
import { mlflowObject } from '../mlflow/fields.ts';
import { setTagBody } from '../mlflow/run-schemas.ts';

export const mlflowSetTagRoute = defineRoute({
  operationId: 'mlflowSetTag',
  dialect: 'mlflow',
  method: 'POST',
  path: '/api/2.0/mlflow/runs/set-tag',
  entry: 'lambdas/set-run-tags.ts',
  summary: 'Set a tag on a run; mlflow.runName renames it, mlflow.parentRunId nests it (MLflow)',
  access: 'write',
  tag: 'mlflow',
  request: { body: setTagBody },
  response: { status: 200, description: "MLflow's answer: {}", body: mlflowObject },
  table: { actions: ['GetItem', 'BatchGetItem', 'Query', 'PutItem', 'UpdateItem', 'BatchWriteItem'] },
});
