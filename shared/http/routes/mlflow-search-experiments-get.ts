import { defineRoute } from '../route-definition.ts';
import { mlflowPage, searchExperimentsQuery } from '../mlflow/schemas.ts';

export const mlflowSearchExperimentsGetRoute = defineRoute({
  operationId: 'mlflowSearchExperimentsGet',
  dialect: 'mlflow',
  method: 'GET',
  path: '/api/2.0/mlflow/experiments/search',
  entry: 'lambdas/list-experiments.ts',
  summary: 'Search experiments (MLflow, GET form)',
  access: 'read',
  tag: 'mlflow',
  request: { query: searchExperimentsQuery },
  response: { status: 200, description: 'MLflow\'s answer: {"experiments", "next_page_token"}', body: mlflowPage },
  pageTokens: true,
  table: { actions: ['GetItem', 'Query', 'PutItem'], indexes: ['gsi1'] },
});
