import { defineRoute } from '../route-definition.ts';
import { mlflowObject } from '../mlflow/fields.ts';
import { runIdQuery } from '../mlflow/run-schemas.ts';

export const mlflowGetRunRoute = defineRoute({
  operationId: 'mlflowGetRun',
  dialect: 'mlflow',
  method: 'GET',
  path: '/api/2.0/mlflow/runs/get',
  entry: 'lambdas/get-run.ts',
  summary: 'Get a run with its latest metrics, params, tags, inputs and outputs (MLflow)',
  access: 'read',
  tag: 'mlflow',
  request: { query: runIdQuery },
  response: { status: 200, description: 'MLflow\'s answer: {"run"}', body: mlflowObject },
  table: { actions: ['GetItem', 'Query'] },
});
