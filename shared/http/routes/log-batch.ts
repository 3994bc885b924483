import { defineRoute } from '../route-definition.ts';
import { logBatchBody, logBatchResponse } from '../schemas/batch.ts';
import { runIdPath } from '../schemas/paths.ts';

export const logBatchRoute = defineRoute({
  operationId: 'logBatch',
  method: 'POST',
  path: '/api/v1/runs/{run_id}/batch',
  entry: 'lambdas/log-batch.ts',
  summary: 'Log params, tags and metric points together, applied whole or not at all',
  access: 'write',
  tag: 'runs',
  request: { path: runIdPath, body: logBatchBody },
  response: { status: 200, description: 'What was logged', body: logBatchResponse },
  table: { actions: ['GetItem', 'BatchGetItem', 'Query', 'PutItem', 'UpdateItem', 'BatchWriteItem'] },
  ingest: true,
});
