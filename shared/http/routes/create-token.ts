import { defineRoute } from '../route-definition.ts';
import { createTokenBody, createdTokenResponse } from '../schemas/access.ts';

export const createTokenRoute = defineRoute({
  operationId: 'createToken',
  method: 'POST',
  path: '/api/v1/admin/tokens',
  entry: 'lambdas/create-token.ts',
  summary: "Create a token in the caller's workspace; its secret is shown once, in this response",
  access: 'admin',
  tag: 'admin',
  request: { body: createTokenBody },
  response: { status: 201, description: 'The token, with its secret', body: createdTokenResponse },
  table: { actions: ['GetItem', 'PutItem'] },
});
