import { defineRoute } from '../route-definition.ts';
import { createRunBody } from '../mlflow/run-schemas.ts';
import { mlflowObject } from '../mlflow/fields.ts';

export const mlflowCreateRunRoute = defineRoute({
  operationId: 'mlflowCreateRun',
  dialect: 'mlflow',
  method: 'POST',
  path: '/api/2.0/mlflow/runs/create',
  entry: 'lambdas/create-run.ts',
  summary: 'Create a RUNNING run; tags mlflow.runName and mlflow.parentRunId name it and nest it (MLflow)',
  access: 'write',
  tag: 'mlflow',
  request: { body: createRunBody },
  response: { status: 200, description: 'MLflow\'s answer: {"run"}', body: mlflowObject },
  table: { actions: ['GetItem', 'Query', 'PutItem', 'UpdateItem', 'BatchWriteItem'] },
});
