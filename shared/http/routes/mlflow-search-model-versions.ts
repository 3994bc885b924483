import { defineRoute } from '../route-definition.ts';
import { mlflowRegistryPage, searchModelVersionsQuery } from '../mlflow/registry-schemas.ts';

export const mlflowSearchModelVersionsRoute = defineRoute({
  operationId: 'mlflowSearchModelVersions',
  dialect: 'mlflow',
  method: 'GET',
  path: '/api/2.0/mlflow/model-versions/search',
  entry: 'lambdas/list-run-model-versions.ts',
  summary:
    "Search model versions: a model's or a run's (name = or run_id =) by number, the workspace's by last change; name, run_id, source_path, version_number and tags narrow (MLflow)",
  access: 'read',
  tag: 'mlflow',
  request: { query: searchModelVersionsQuery },
  response: {
    status: 200,
    description: 'MLflow\'s answer: {"model_versions", "next_page_token"}',
    body: mlflowRegistryPage,
  },
  pageTokens: true,
  table: { actions: ['GetItem', 'Query', 'BatchGetItem'], indexes: ['gsi1', 'gsi2'] },
});
