import { defineRoute } from '../route-definition.ts';
import { searchRunsQuery, searchRunsResponse } from '../schemas/search.ts';
import { metricSlotIndexNames } from '../../storage/table-definition.ts';

export const searchRunsRoute = defineRoute({
  operationId: 'searchRuns',
  method: 'GET',
  path: '/api/v1/runs/search',
  entry: 'lambdas/search-runs.ts',
  summary: "Search an experiment's runs with an MLflow filter and order; runs carry params, tags and latest metrics",
  access: 'read',
  tag: 'search',
  request: { query: searchRunsQuery, repeatableQuery: ['order_by'] },
  pageTokens: true,
  response: { status: 200, description: 'A page of matching runs', body: searchRunsResponse },
  table: { actions: ['GetItem', 'Query', 'BatchGetItem'], indexes: ['gsi1', 'gsi2', ...metricSlotIndexNames] },
});
