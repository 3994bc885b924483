import { defineRoute } from '../route-definition.ts';
import { listModelsQuery, modelListResponse } from '../schemas/registry.ts';

export const listRegisteredModelsRoute = defineRoute({
  operationId: 'listRegisteredModels',
  method: 'GET',
  path: '/api/v1/models',
  entry: 'lambdas/list-registered-models.ts',
  summary:
    'List registered models by name or last change (order_by); filter by name_prefix, name_contains (any case) and tag.KEY=VALUE',
  access: 'read',
  tag: 'registry',
  request: { query: listModelsQuery },
  response: { status: 200, description: 'A page of registered models', body: modelListResponse },
  pageTokens: true,
  table: { actions: ['GetItem', 'Query', 'BatchGetItem'], indexes: ['gsi1', 'gsi2'] },
});
