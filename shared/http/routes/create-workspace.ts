import { defineRoute } from '../route-definition.ts';
import { createWorkspaceBody, createdWorkspaceResponse } from '../schemas/access.ts';

export const createWorkspaceRoute = defineRoute({
  operationId: 'createWorkspace',
  method: 'POST',
  path: '/api/v1/admin/workspaces',
  entry: 'lambdas/create-workspace.ts',
  summary: 'Create a workspace and its first admin token (shown once)',
  access: 'operator',
  tag: 'admin',
  request: { body: createWorkspaceBody },
  response: {
    status: 201,
    description: 'The workspace and its admin token',
    body: createdWorkspaceResponse,
  },
  table: { actions: ['GetItem', 'PutItem'] },
});
