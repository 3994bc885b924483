import { defineRoute } from '../route-definition.ts';
import { experimentListResponse, listExperimentsQuery } from '../schemas/experiments.ts';

export const listExperimentsRoute = defineRoute({
  operationId: 'listExperiments',
  method: 'GET',
  path: '/api/v1/experiments',
  entry: 'lambdas/list-experiments.ts',
  summary: 'List experiments, newest first; filter with tag.KEY=VALUE query parameters',
  access: 'read',
  tag: 'experiments',
  request: { query: listExperimentsQuery },
  pageTokens: true,
  response: { status: 200, description: 'A page of experiments', body: experimentListResponse },
  table: { actions: ['GetItem', 'Query'], indexes: ['gsi1'] },
});
