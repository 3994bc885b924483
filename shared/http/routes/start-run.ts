import { defineRoute } from '../route-definition.ts';
import { runDetailsResponse, startRunBody } from '../schemas/runs.ts';

export const startRunRoute = defineRoute({
  operationId: 'startRun',
  method: 'POST',
  path: '/api/v1/runs',
  entry: 'lambdas/start-run.ts',
  summary: 'Start a run in the experiment named (created if it does not exist) or given by id',
  access: 'write',
  tag: 'runs',
  request: { body: startRunBody },
  response: { status: 201, description: 'The new RUNNING run', body: runDetailsResponse },
  table: { actions: ['GetItem', 'Query', 'PutItem', 'UpdateItem', 'BatchWriteItem'] },
});
