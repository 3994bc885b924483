import { defineRoute } from '../route-definition.ts';
import { logOutputsBody } from '../mlflow/run-schemas.ts';
import { mlflowObject } from '../mlflow/fields.ts';

export const mlflowLogOutputsRoute = defineRoute({
  operationId: 'mlflowLogOutputs',
  dialect: 'mlflow',
  method: 'POST',
  path: '/api/2.0/mlflow/runs/outputs',
  entry: 'lambdas/log-run-io.ts',
  summary: 'Record the logged models a run produced (MLflow)',
  access: 'write',
  tag: 'mlflow',
  request: { body: logOutputsBody },
  response: { status: 200, description: "MLflow's answer: {}", body: mlflowObject },
  table: { actions: ['GetItem', 'UpdateItem', 'BatchWriteItem', 'Query'] },
});
