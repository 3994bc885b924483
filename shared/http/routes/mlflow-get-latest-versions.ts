import { defineRoute } from '../route-definition.ts';
import { getLatestVersionsBody, mlflowRegistryObject } from '../mlflow/registry-schemas.ts';

export const mlflowGetLatestVersionsRoute = defineRoute({
  operationId: 'mlflowGetLatestVersions',
  dialect: 'mlflow',
  method: 'POST',
  path: '/api/2.0/mlflow/registered-models/get-latest-versions',
  entry: 'lambdas/list-model-versions.ts',
  summary: 'The latest version of a registered model (every version is in stage None) (MLflow)',
  access: 'read',
  tag: 'mlflow',
  request: { body: getLatestVersionsBody },
  response: { status: 200, description: 'MLflow\'s answer: {"model_versions"}', body: mlflowRegistryObject },
  table: { actions: ['GetItem', 'Query'] },
});
