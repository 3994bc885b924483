import { defineRoute } from '../route-definition.ts';
import { runIdPath } from '../schemas/paths.ts';
import { runWithArtifactsResponse } from '../schemas/run-with-artifacts.ts';

export const getRunRoute = defineRoute({
  operationId: 'getRun',
  method: 'GET',
  path: '/api/v1/runs/{run_id}',
  entry: 'lambdas/get-run.ts',
  summary: 'Get a run with its params, the latest value of every metric and its complete artifacts',
  access: 'read',
  tag: 'runs',
  request: { path: runIdPath },
  response: { status: 200, description: 'The run', body: runWithArtifactsResponse },
  table: { actions: ['GetItem', 'Query'] },
});
