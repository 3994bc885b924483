import { defineRoute } from '../route-definition.ts';
import { metricHistoryQuery } from '../mlflow/history-schemas.ts';
import { mlflowPage } from '../mlflow/fields.ts';

export const mlflowGetMetricHistoryRoute = defineRoute({
  operationId: 'mlflowGetMetricHistory',
  dialect: 'mlflow',
  method: 'GET',
  path: '/api/2.0/mlflow/metrics/get-history',
  entry: 'lambdas/get-metric-history.ts',
  summary:
    "A metric's history in MLflow's order (timestamp, step, value), in pages of up to 25,000 points (MLflow); none for a run that does not exist",
  access: 'read',
  tag: 'mlflow',
  request: { query: metricHistoryQuery },
  response: { status: 200, description: 'MLflow\'s answer: {"metrics", "next_page_token"}', body: mlflowPage },
  pageTokens: true,
  table: { actions: ['GetItem', 'BatchGetItem', 'Query'] },
  // A page in MLflow's order reads the key's whole history (shared/storage/metric-history-by-time.ts).
  timeoutSeconds: 28,
});
