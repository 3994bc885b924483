import { defineRoute } from '../route-definition.ts';
import { listQuery, workspaceListResponse } from '../schemas/access.ts';

export const listWorkspacesRoute = defineRoute({
  operationId: 'listWorkspaces',
  method: 'GET',
  path: '/api/v1/admin/workspaces',
  entry: 'lambdas/list-workspaces.ts',
  summary: 'List workspaces, newest first',
  access: 'operator',
  tag: 'admin',
  request: { query: listQuery },
  pageTokens: true,
  response: { status: 200, description: 'A page of workspaces', body: workspaceListResponse },
  table: { actions: ['GetItem', 'Query'], indexes: ['gsi1'] },
});
