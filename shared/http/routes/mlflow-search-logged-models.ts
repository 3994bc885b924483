import { defineRoute } from '../route-definition.ts';
import { mlflowPage, searchLoggedModelsBody } from '../mlflow/schemas.ts';

export const mlflowSearchLoggedModelsRoute = defineRoute({
  operationId: 'mlflowSearchLoggedModels',
  dialect: 'mlflow',
  method: 'POST',
  path: '/api/2.0/mlflow/logged-models/search',
  entry: 'lambdas/get-logged-model.ts',
  summary: "Search an experiment's logged models (name filter), newest first (MLflow)",
  access: 'read',
  tag: 'mlflow',
  request: { body: searchLoggedModelsBody },
  response: { status: 200, description: 'MLflow\'s answer: {"models", "next_page_token"}', body: mlflowPage },
  pageTokens: true,
  table: { actions: ['GetItem', 'Query', 'PutItem'], indexes: ['gsi1'] },
});
