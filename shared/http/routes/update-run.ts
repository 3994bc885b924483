import { defineRoute } from '../route-definition.ts';
import { runIdPath } from '../schemas/paths.ts';
import { updateRunBody } from '../schemas/run-update.ts';
import { runDetailsResponse } from '../schemas/runs.ts';

export const updateRunRoute = defineRoute({
  operationId: 'updateRun',
  method: 'PATCH',
  path: '/api/v1/runs/{run_id}',
  entry: 'lambdas/update-run.ts',
  summary: 'End a run (FINISHED or COMPLETED, FAILED, KILLED), rename it, or nest it under another run',
  access: 'write',
  tag: 'runs',
  request: { path: runIdPath, body: updateRunBody },
  response: { status: 200, description: 'The ended run', body: runDetailsResponse },
  // Ending a run seals its metrics' rollups (run values and pages, raw points, rollup items); a new
  // parent writes the run's child item under it and removes the one under the old parent.
  table: { actions: ['GetItem', 'BatchGetItem', 'Query', 'PutItem', 'UpdateItem', 'BatchWriteItem'] },
});
