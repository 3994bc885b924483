import { defineRoute } from '../route-definition.ts';
import { logMetricBody } from '../mlflow/run-schemas.ts';
import { mlflowObject } from '../mlflow/fields.ts';

export const mlflowLogMetricRoute = defineRoute({
  operationId: 'mlflowLogMetric',
  dialect: 'mlflow',
  method: 'POST',
  path: '/api/2.0/mlflow/runs/log-metric',
  entry: 'lambdas/log-metrics.ts',
  summary: 'Log one metric point (MLflow)',
  access: 'write',
  tag: 'mlflow',
  request: { body: logMetricBody },
  response: { status: 200, description: "MLflow's answer: {}", body: mlflowObject },
  table: { actions: ['GetItem', 'BatchGetItem', 'Query', 'PutItem', 'UpdateItem', 'BatchWriteItem'] },
  ingest: true,
});
