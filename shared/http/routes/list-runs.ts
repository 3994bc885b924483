import { defineRoute } from '../route-definition.ts';
import { experimentIdPath } from '../schemas/paths.ts';
import { listRunsQuery, runListResponse } from '../schemas/runs.ts';

export const listRunsRoute = defineRoute({
  operationId: 'listRuns',
  method: 'GET',
  path: '/api/v1/experiments/{experiment_id}/runs',
  entry: 'lambdas/list-runs.ts',
  summary: "List an experiment's runs, newest first, optionally in one status",
  access: 'read',
  tag: 'runs',
  request: { path: experimentIdPath, query: listRunsQuery },
  pageTokens: true,
  response: { status: 200, description: 'A page of runs', body: runListResponse },
  table: { actions: ['GetItem', 'Query', 'PutItem'], indexes: ['gsi1'] }, // PutItem: the default experiment "0"
});
