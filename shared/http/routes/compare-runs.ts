import { defineRoute } from '../route-definition.ts';
import { compareRunsBody, compareRunsResponse } from '../schemas/search.ts';

export const compareRunsRoute = defineRoute({
  operationId: 'compareRuns',
  method: 'POST',
  path: '/api/v1/runs/compare',
  entry: 'lambdas/compare-runs.ts',
  summary: 'Runs as rows, latest metrics and params as columns; CSV with `Accept: text/csv`',
  access: 'read',
  tag: 'search',
  request: { body: compareRunsBody },
  response: {
    status: 200,
    description: 'The comparison',
    body: compareRunsResponse,
    alternatives: ['text/csv'],
  },
  table: { actions: ['GetItem', 'Query', 'BatchGetItem'] },
});
