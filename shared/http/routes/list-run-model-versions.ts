import { defineRoute } from '../route-definition.ts';
import { runIdPath } from '../schemas/paths.ts';
import { listVersionsQuery, versionListResponse } from '../schemas/registry.ts';

export const listRunModelVersionsRoute = defineRoute({
  operationId: 'listRunModelVersions',
  method: 'GET',
  path: '/api/v1/runs/{run_id}/model-versions',
  entry: 'lambdas/list-run-model-versions.ts',
  summary: 'The model versions registered from a run',
  access: 'read',
  tag: 'registry',
  request: { path: runIdPath, query: listVersionsQuery },
  response: { status: 200, description: 'A page of versions', body: versionListResponse },
  pageTokens: true,
  table: { actions: ['GetItem', 'Query'], indexes: ['gsi1'] },
});
