import { defineRoute } from '../route-definition.ts';
import { tokenIdPath, tokenResponse } from '../schemas/access.ts';

export const revokeTokenRoute = defineRoute({
  operationId: 'revokeToken',
  method: 'DELETE',
  path: '/api/v1/admin/tokens/{token_id}',
  entry: 'lambdas/revoke-token.ts',
  summary: "Revoke a token of the caller's workspace",
  access: 'admin',
  tag: 'admin',
  request: { path: tokenIdPath },
  response: { status: 200, description: 'The revoked token', body: tokenResponse },
  table: { actions: ['GetItem', 'UpdateItem'] },
});
