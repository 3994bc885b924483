import { defineRoute } from '../route-definition.ts';
import { logInputsBody } from '../mlflow/run-schemas.ts';
import { mlflowObject } from '../mlflow/fields.ts';

export const mlflowLogInputsRoute = defineRoute({
  operationId: 'mlflowLogInputs',
  dialect: 'mlflow',
  method: 'POST',
  path: '/api/2.0/mlflow/runs/log-inputs',
  entry: 'lambdas/log-run-io.ts',
  summary: 'Record the datasets (and models) a run used (MLflow)',
  access: 'write',
  tag: 'mlflow',
  request: { body: logInputsBody },
  response: { status: 200, description: "MLflow's answer: {}", body: mlflowObject },
  table: { actions: ['GetItem', 'PutItem', 'UpdateItem', 'Query'] },
});
