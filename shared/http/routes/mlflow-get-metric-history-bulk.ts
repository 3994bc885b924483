import { defineRoute } from '../route-definition.ts';
import { bulkHistoryQuery } from '../mlflow/history-schemas.ts';
import { mlflowObject } from '../mlflow/fields.ts';

/** MLflow's web-app route: its server serves it under `/ajax-api` only, so there is no `/api` path. */
export const mlflowGetMetricHistoryBulkRoute = defineRoute({
  operationId: 'mlflowGetMetricHistoryBulk',
  dialect: 'mlflow',
  method: 'GET',
  path: '/ajax-api/2.0/mlflow/metrics/get-history-bulk',
  entry: 'lambdas/get-metric-history.ts',
  summary:
    "One metric's histories of up to 100 runs, in run id then MLflow's history order, at most 25,000 points in all (MLflow)",
  access: 'read',
  tag: 'mlflow',
  request: { query: bulkHistoryQuery },
  response: {
    status: 200,
    description: 'MLflow\'s answer: {"metrics"}, each point with its run_id',
    body: mlflowObject,
  },
  table: { actions: ['GetItem', 'BatchGetItem', 'Query'] },
  // Each run's history is read whole, for MLflow's order (shared/storage/metric-history-by-time.ts).
  timeoutSeconds: 28,
});
