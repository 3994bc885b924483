import { defineRoute } from '../route-definition.ts';
import { experimentIdPath } from '../schemas/paths.ts';
import { createRunBody, runDetailsResponse } from '../schemas/runs.ts';

export const createRunRoute = defineRoute({
  operationId: 'createRun',
  method: 'POST',
  path: '/api/v1/experiments/{experiment_id}/runs',
  entry: 'lambdas/create-run.ts',
  summary: 'Start a run in an experiment',
  access: 'write',
  tag: 'runs',
  request: { path: experimentIdPath, body: createRunBody },
  response: { status: 201, description: 'The new RUNNING run', body: runDetailsResponse },
  table: { actions: ['GetItem', 'Query', 'PutItem', 'UpdateItem', 'BatchWriteItem'] },
});
