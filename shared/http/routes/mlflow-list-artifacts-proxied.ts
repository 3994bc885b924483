import { defineRoute } from '../route-definition.ts';
import { artifactListQuery } from '../mlflow/artifact-schemas.ts';
import { mlflowObject } from '../mlflow/fields.ts';

export const mlflowListArtifactsProxiedRoute = defineRoute({
  operationId: 'mlflowListArtifactsProxied',
  dialect: 'mlflow',
  method: 'GET',
  path: '/api/2.0/mlflow-artifacts/artifacts',
  entry: 'lambdas/list-artifacts.ts',
  summary: 'The files and folders directly under `path` (MLflow)',
  access: 'read',
  tag: 'mlflow-artifacts',
  request: { query: artifactListQuery },
  response: { status: 200, description: 'MLflow\'s answer: {"files"}', body: mlflowObject },
  table: { actions: ['GetItem', 'Query', 'UpdateItem'] },
  // A redirected MLflow PUT is settled here: ListParts, then CompleteMultipartUpload (s3:PutObject) of its one part.
  bucket: { actions: ['GetObject', 'ListMultipartUploadParts', 'PutObject'] },
});
