import { defineRoute } from '../route-definition.ts';
import { runResponse } from '../schemas/runs.ts';
import { runTagPath } from '../schemas/lifecycle.ts';

export const deleteRunTagRoute = defineRoute({
  operationId: 'deleteRunTag',
  method: 'DELETE',
  path: '/api/v1/runs/{run_id}/tags/{tag_key}',
  entry: 'lambdas/delete-run-tag.ts',
  summary: 'Remove a tag from a run',
  access: 'write',
  tag: 'runs',
  request: { path: runTagPath },
  response: { status: 200, description: 'The run without the tag', body: runResponse },
  table: { actions: ['GetItem', 'BatchGetItem', 'PutItem', 'UpdateItem', 'BatchWriteItem'] },
});
