import { defineRoute } from '../route-definition.ts';
import { mlflowRegistryObject, modelVersionQuery } from '../mlflow/registry-schemas.ts';

export const mlflowGetModelVersionDownloadUriRoute = defineRoute({
  operationId: 'mlflowGetModelVersionDownloadUri',
  dialect: 'mlflow',
  method: 'GET',
  path: '/api/2.0/mlflow/model-versions/get-download-uri',
  entry: 'lambdas/get-model-version-download.ts',
  summary: "Where a version's files are: the source run's mlflow-artifacts: URI (MLflow)",
  access: 'read',
  tag: 'mlflow',
  request: { query: modelVersionQuery },
  response: { status: 200, description: 'MLflow\'s answer: {"artifact_uri"}', body: mlflowRegistryObject },
  table: { actions: ['GetItem'] },
});
