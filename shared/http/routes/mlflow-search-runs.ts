import { defineRoute } from '../route-definition.ts';
import { mlflowPage } from '../mlflow/fields.ts';
import { searchRunsBody } from '../mlflow/run-schemas.ts';
import { metricSlotIndexNames } from '../../storage/table-definition.ts';

export const mlflowSearchRunsRoute = defineRoute({
  operationId: 'mlflowSearchRuns',
  dialect: 'mlflow',
  method: 'POST',
  path: '/api/2.0/mlflow/runs/search',
  entry: 'lambdas/search-runs-post.ts',
  summary: "Search runs with MLflow's filter grammar, run_view_type and up to 50,000 results a page (MLflow)",
  access: 'read',
  tag: 'mlflow',
  request: { body: searchRunsBody },
  response: { status: 200, description: 'MLflow\'s answer: {"runs", "next_page_token"}', body: mlflowPage },
  pageTokens: true,
  table: {
    actions: ['GetItem', 'Query', 'BatchGetItem', 'PutItem'],
    indexes: ['gsi1', 'gsi2', ...metricSlotIndexNames],
  },
});
