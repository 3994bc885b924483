import { defineRoute } from '../route-definition.ts';
import { runIdPath } from '../schemas/paths.ts';
import { runDetailsResponse, updateRunBody } from '../schemas/runs.ts';

export const updateRunRoute = defineRoute({
  operationId: 'updateRun',
  method: 'PATCH',
  path: '/api/v1/runs/{run_id}',
  entry: 'lambdas/update-run.ts',
  summary: 'End a run: FINISHED (or COMPLETED), FAILED or KILLED',
  access: 'write',
  tag: 'runs',
  request: { path: runIdPath, body: updateRunBody },
  response: { status: 200, description: 'The ended run', body: runDetailsResponse },
  // Ending a run seals its metrics' rollups (run values and pages, raw points, rollup items).
  table: { actions: ['GetItem', 'BatchGetItem', 'Query', 'PutItem', 'UpdateItem'] },
});
