import { defineRoute } from '../route-definition.ts';
import { listQuery, tokenListResponse } from '../schemas/access.ts';

export const listTokensRoute = defineRoute({
  operationId: 'listTokens',
  method: 'GET',
  path: '/api/v1/admin/tokens',
  entry: 'lambdas/list-tokens.ts',
  summary: "List the caller's workspace's tokens, newest first (never their secrets)",
  access: 'admin',
  tag: 'admin',
  request: { query: listQuery },
  pageTokens: true,
  response: { status: 200, description: 'A page of tokens', body: tokenListResponse },
  table: { actions: ['GetItem', 'Query'], indexes: ['gsi1'] },
});
