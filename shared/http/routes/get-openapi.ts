import { defineRoute } from '../route-definition.ts';
import { openApiResponse } from '../schemas/openapi.ts';

export const getOpenApiRoute = defineRoute({
  operationId: 'getOpenApi',
  method: 'GET',
  path: '/api/v1/openapi.json',
  entry: 'lambdas/get-openapi.ts',
  summary: 'This API described in OpenAPI 3.1',
  access: 'read',
  tag: 'meta',
  request: {},
  response: { status: 200, description: 'The OpenAPI document', body: openApiResponse },
  table: { actions: ['GetItem'] },
});
