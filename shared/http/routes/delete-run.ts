import { defineRoute } from '../route-definition.ts';
import { runIdPath } from '../schemas/paths.ts';
import { runResponse } from '../schemas/runs.ts';

export const deleteRunRoute = defineRoute({
  operationId: 'deleteRun',
  method: 'DELETE',
  path: '/api/v1/runs/{run_id}',
  entry: 'lambdas/delete-run.ts',
  summary: 'Soft-delete a run: it leaves lists and searches and takes no new data until restored',
  access: 'write',
  tag: 'runs',
  request: { path: runIdPath },
  response: { status: 200, description: 'The deleted run', body: runResponse },
  table: { actions: ['GetItem', 'UpdateItem'] },
});
