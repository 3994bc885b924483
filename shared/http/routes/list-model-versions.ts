import { defineRoute } from '../route-definition.ts';
import { listVersionsQuery, modelNamePath, versionListResponse } from '../schemas/registry.ts';

export const listModelVersionsRoute = defineRoute({
  operationId: 'listModelVersions',
  method: 'GET',
  path: '/api/v1/models/{model_name}/versions',
  entry: 'lambdas/list-model-versions.ts',
  summary: "List a registered model's versions, newest first",
  access: 'read',
  tag: 'registry',
  request: { path: modelNamePath, query: listVersionsQuery },
  response: { status: 200, description: 'A page of versions', body: versionListResponse },
  pageTokens: true,
  table: { actions: ['GetItem', 'Query'] },
});
