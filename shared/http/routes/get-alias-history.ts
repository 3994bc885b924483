import { defineRoute } from '../route-definition.ts';
import { aliasHistoryQuery, aliasHistoryResponse, modelNamePath } from '../schemas/registry.ts';

export const getAliasHistoryRoute = defineRoute({
  operationId: 'getAliasHistory',
  method: 'GET',
  path: '/api/v1/models/{model_name}/alias-history',
  entry: 'lambdas/get-alias-history.ts',
  summary:
    'Every alias move of a model, newest first (who, when, from and to which version); with until=, where aliases stood then',
  access: 'read',
  tag: 'registry',
  request: { path: modelNamePath, query: aliasHistoryQuery },
  response: { status: 200, description: 'A page of alias moves', body: aliasHistoryResponse },
  pageTokens: true,
  table: { actions: ['GetItem', 'Query'] },
});
