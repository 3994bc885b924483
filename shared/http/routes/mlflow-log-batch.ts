import { defineRoute } from '../route-definition.ts';
import { logBatchBody } from '../mlflow/run-schemas.ts';
import { mlflowObject } from '../mlflow/fields.ts';

export const mlflowLogBatchRoute = defineRoute({
  operationId: 'mlflowLogBatch',
  dialect: 'mlflow',
  method: 'POST',
  path: '/api/2.0/mlflow/runs/log-batch',
  entry: 'lambdas/log-batch.ts',
  summary: 'Log up to 1,000 metrics, 100 params and 100 tags at once (MLflow)',
  access: 'write',
  tag: 'mlflow',
  request: { body: logBatchBody },
  response: { status: 200, description: "MLflow's answer: {}", body: mlflowObject },
  table: { actions: ['GetItem', 'BatchGetItem', 'Query', 'PutItem', 'UpdateItem', 'BatchWriteItem'] },
  ingest: true,
});
