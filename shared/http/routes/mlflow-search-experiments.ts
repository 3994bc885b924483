import { defineRoute } from '../route-definition.ts';
import { mlflowPage } from '../mlflow/fields.ts';
import { searchExperimentsBody } from '../mlflow/experiment-schemas.ts';

export const mlflowSearchExperimentsRoute = defineRoute({
  operationId: 'mlflowSearchExperiments',
  dialect: 'mlflow',
  method: 'POST',
  path: '/api/2.0/mlflow/experiments/search',
  entry: 'lambdas/list-experiments.ts',
  summary: 'Search experiments by name and tags, ordered and paged (MLflow)',
  access: 'read',
  tag: 'mlflow',
  request: { body: searchExperimentsBody },
  response: { status: 200, description: 'MLflow\'s answer: {"experiments", "next_page_token"}', body: mlflowPage },
  pageTokens: true,
  table: { actions: ['GetItem', 'Query', 'PutItem'], indexes: ['gsi1'] },
});
