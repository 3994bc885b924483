import { defineRoute } from '../route-definition.ts';
import { listArtifactsQuery } from '../mlflow/artifact-schemas.ts';
import { mlflowObject } from '../mlflow/fields.ts';

export const mlflowListArtifactsRoute = defineRoute({
  operationId: 'mlflowListArtifacts',
  dialect: 'mlflow',
  method: 'GET',
  path: '/api/2.0/mlflow/artifacts/list',
  entry: 'lambdas/list-artifacts.ts',
  summary: "The files and folders directly under a path of a run's artifacts (MLflow)",
  access: 'read',
  tag: 'mlflow',
  request: { query: listArtifactsQuery },
  response: { status: 200, description: 'MLflow\'s answer: {"root_uri", "files"}', body: mlflowObject },
  table: { actions: ['GetItem', 'Query', 'UpdateItem'] },
  // A redirected MLflow PUT is settled here: ListParts, then CompleteMultipartUpload (s3:PutObject) of its one part.
  bucket: { actions: ['GetObject', 'ListMultipartUploadParts', 'PutObject'] },
});
