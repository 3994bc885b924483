import { defineRoute } from '../route-definition.ts';
import { mlflowPage } from '../mlflow/fields.ts';
import { searchLoggedModelsBody } from '../mlflow/logged-model-schemas.ts';

export const mlflowSearchLoggedModelsRoute = defineRoute({
  operationId: 'mlflowSearchLoggedModels',
  dialect: 'mlflow',
  method: 'POST',
  path: '/api/2.0/mlflow/logged-models/search',
  entry: 'lambdas/get-logged-model.ts',
  summary: 'Search logged models by metrics, params, tags and attributes; order by metrics or attributes (MLflow)',
  access: 'read',
  tag: 'mlflow',
  request: { body: searchLoggedModelsBody },
  response: { status: 200, description: 'MLflow\'s answer: {"models", "next_page_token"}', body: mlflowPage },
  pageTokens: true,
  table: { actions: ['GetItem', 'Query', 'PutItem'], indexes: ['gsi1'] },
});
