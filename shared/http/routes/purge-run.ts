import { defineRoute } from '../route-definition.ts';
import { purgeResponse } from '../schemas/lifecycle.ts';
import { runIdPath } from '../schemas/paths.ts';

export const purgeRunRoute = defineRoute({
  operationId: 'purgeRun',
  method: 'POST',
  path: '/api/v1/runs/{run_id}/purge',
  entry: 'lambdas/purge-run.ts',
  summary:
    'Irreversibly remove a run that reads deleted (deleted itself or with its experiment), its params, metrics, tags and its artifacts in S3 (admin)',
  access: 'admin',
  tag: 'runs',
  request: { path: runIdPath },
  response: { status: 200, description: 'What was removed', body: purgeResponse },
  table: { actions: ['GetItem', 'Query', 'BatchWriteItem', 'UpdateItem', 'DeleteItem'], indexes: ['gsi1'] },
  bucket: { actions: ['ListBucket', 'DeleteObject'] },
});
