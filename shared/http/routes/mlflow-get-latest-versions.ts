import { defineRoute } from '../route-definition.ts';
import { getLatestVersionsBody, mlflowRegistryObject } from '../mlflow/registry-schemas.ts';

export const mlflowGetLatestVersionsRoute = defineRoute({
  operationId: 'mlflowGetLatestVersions',
  dialect: 'mlflow',
  method: 'POST',
  path: '/api/2.0/mlflow/registered-models/get-latest-versions',
  entry: 'lambdas/list-model-versions.ts',
  summary:
    'The newest version in each stage of a registered model, stages in the order of their lowest version (MLflow)',
  access: 'read',
  tag: 'mlflow',
  request: { body: getLatestVersionsBody },
  response: { status: 200, description: 'MLflow\'s answer: {"model_versions"}', body: mlflowRegistryObject },
  table: { actions: ['GetItem', 'Query', 'BatchGetItem'] },
});
