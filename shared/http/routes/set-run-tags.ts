import { defineRoute } from '../route-definition.ts';
import { runIdPath } from '../schemas/paths.ts';
import { runResponse, setTagsBody } from '../schemas/runs.ts';

export const setRunTagsRoute = defineRoute({
  operationId: 'setRunTags',
  method: 'POST',
  path: '/api/v1/runs/{run_id}/tags',
  entry: 'lambdas/set-run-tags.ts',
  summary: 'Set tags on a run (allowed after the run ended)',
  access: 'write',
  tag: 'runs',
  request: { path: runIdPath, body: setTagsBody },
  response: { status: 200, description: 'The run with its tags', body: runResponse },
  table: { actions: ['GetItem', 'BatchGetItem', 'PutItem', 'UpdateItem', 'BatchWriteItem'] },
});
