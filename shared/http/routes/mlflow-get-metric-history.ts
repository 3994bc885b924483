import { defineRoute } from '../route-definition.ts';
import { metricHistoryQuery } from '../mlflow/run-schemas.ts';
import { mlflowPage } from '../mlflow/fields.ts';

export const mlflowGetMetricHistoryRoute = defineRoute({
  operationId: 'mlflowGetMetricHistory',
  dialect: 'mlflow',
  method: 'GET',
  path: '/api/2.0/mlflow/metrics/get-history',
  entry: 'lambdas/get-metric-history.ts',
  summary: "A metric's history in pages of up to 25,000 points (MLflow); none for a run that does not exist",
  access: 'read',
  tag: 'mlflow',
  request: { query: metricHistoryQuery },
  response: { status: 200, description: 'MLflow\'s answer: {"metrics", "next_page_token"}', body: mlflowPage },
  pageTokens: true,
  table: { actions: ['GetItem', 'BatchGetItem', 'Query'] },
});
