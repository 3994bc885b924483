import { defineRoute } from '../route-definition.ts';
import { metricHistoryQuery, metricHistoryResponse } from '../schemas/metrics.ts';
import { metricHistoryPath } from '../schemas/paths.ts';

export const getMetricHistoryRoute = defineRoute({
  operationId: 'getMetricHistory',
  method: 'GET',
  path: '/api/v1/runs/{run_id}/metrics/{metric_key+}',
  entry: 'lambdas/get-metric-history.ts',
  summary: "A metric's history in step order, paginated, or downsampled with max_points",
  access: 'read',
  tag: 'metrics',
  request: { path: metricHistoryPath, query: metricHistoryQuery },
  pageTokens: true,
  response: { status: 200, description: 'Points in step order', body: metricHistoryResponse },
  table: { actions: ['GetItem', 'BatchGetItem', 'Query'] },
});
