import { defineRoute } from '../route-definition.ts';
import { bulkIntervalQuery } from '../mlflow/history-schemas.ts';
import { mlflowObject } from '../mlflow/fields.ts';

export const mlflowGetMetricHistoryBulkIntervalRoute = defineRoute({
  operationId: 'mlflowGetMetricHistoryBulkInterval',
  dialect: 'mlflow',
  method: 'GET',
  path: '/api/2.0/mlflow/metrics/get-history-bulk-interval',
  entry: 'lambdas/get-metric-history.ts',
  summary: 'Sampled histories of one metric for several runs (MLflow)',
  access: 'read',
  tag: 'mlflow',
  request: { query: bulkIntervalQuery },
  response: { status: 200, description: 'MLflow\'s answer: {"metrics"}', body: mlflowObject },
  table: { actions: ['GetItem', 'BatchGetItem', 'Query'] },
});
