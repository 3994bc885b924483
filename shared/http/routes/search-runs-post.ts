import { defineRoute } from '../route-definition.ts';
import { searchRunsBody, searchRunsResponse } from '../schemas/search.ts';
import { metricSlotIndexNames } from '../../storage/table-definition.ts';

export const searchRunsPostRoute = defineRoute({
  operationId: 'searchRunsPost',
  method: 'POST',
  path: '/api/v1/runs/search',
  entry: 'lambdas/search-runs-post.ts',
  summary: 'Search runs of one or more experiments (long filters, several experiments)',
  access: 'read',
  tag: 'search',
  request: { body: searchRunsBody },
  pageTokens: true,
  response: { status: 200, description: 'A page of matching runs', body: searchRunsResponse },
  table: { actions: ['GetItem', 'Query', 'BatchGetItem'], indexes: ['gsi1', 'gsi2', ...metricSlotIndexNames] },
});
