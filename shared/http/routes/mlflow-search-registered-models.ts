import { defineRoute } from '../route-definition.ts';
import { mlflowRegistryPage, searchRegisteredModelsQuery } from '../mlflow/registry-schemas.ts';

export const mlflowSearchRegisteredModelsRoute = defineRoute({
  operationId: 'mlflowSearchRegisteredModels',
  dialect: 'mlflow',
  method: 'GET',
  path: '/api/2.0/mlflow/registered-models/search',
  entry: 'lambdas/list-registered-models.ts',
  summary:
    'Search registered models by name (=, LIKE, ILIKE) and tags, by name or last change (order_by), each with its latest version per stage (MLflow)',
  access: 'read',
  tag: 'mlflow',
  request: { query: searchRegisteredModelsQuery },
  response: {
    status: 200,
    description: 'MLflow\'s answer: {"registered_models", "next_page_token"}',
    body: mlflowRegistryPage,
  },
  pageTokens: true,
  table: { actions: ['GetItem', 'Query', 'BatchGetItem'], indexes: ['gsi1', 'gsi2'] },
});
