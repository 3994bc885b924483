import { defineRoute } from '../route-definition.ts';
import { logMetricsBody, logMetricsResponse } from '../schemas/metrics.ts';
import { runIdPath } from '../schemas/paths.ts';

export const logMetricsRoute = defineRoute({
  operationId: 'logMetrics',
  method: 'POST',
  path: '/api/v1/runs/{run_id}/metrics',
  entry: 'lambdas/log-metrics.ts',
  summary: 'Log one metric point, or a batch of up to 1,000',
  access: 'write',
  tag: 'metrics',
  request: { path: runIdPath, body: logMetricsBody },
  response: { status: 200, description: 'How many points were accepted', body: logMetricsResponse },
  table: { actions: ['GetItem', 'BatchGetItem', 'Query', 'PutItem', 'UpdateItem', 'BatchWriteItem'] },
  ingest: true,
});
