import { defineRoute } from '../route-definition.ts';
import { runIdPath } from '../schemas/paths.ts';
import { runResponse } from '../schemas/runs.ts';

export const restoreRunRoute = defineRoute({
  operationId: 'restoreRun',
  method: 'POST',
  path: '/api/v1/runs/{run_id}/restore',
  entry: 'lambdas/restore-run.ts',
  summary: 'Restore a deleted run (409 experiment.deleted while its experiment is deleted)',
  access: 'write',
  tag: 'runs',
  request: { path: runIdPath },
  response: { status: 200, description: 'The restored run', body: runResponse },
  table: { actions: ['GetItem', 'UpdateItem'] },
});
