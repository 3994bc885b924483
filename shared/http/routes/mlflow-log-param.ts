import { defineRoute } from '../route-definition.ts';
import { logParamBody } from '../mlflow/run-schemas.ts';
import { mlflowObject } from '../mlflow/fields.ts';

export const mlflowLogParamRoute = defineRoute({
  operationId: 'mlflowLogParam',
  dialect: 'mlflow',
  method: 'POST',
  path: '/api/2.0/mlflow/runs/log-parameter',
  entry: 'lambdas/log-params.ts',
  summary: 'Log one param; the same value again is accepted (MLflow)',
  access: 'write',
  tag: 'mlflow',
  request: { body: logParamBody },
  response: { status: 200, description: "MLflow's answer: {}", body: mlflowObject },
  table: { actions: ['GetItem', 'BatchGetItem', 'PutItem', 'UpdateItem', 'BatchWriteItem'] },
});
