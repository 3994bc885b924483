import { defineRoute } from '../route-definition.ts';
import { artifactPathParameter } from '../mlflow/artifact-schemas.ts';
import { mlflowObject } from '../mlflow/fields.ts';

export const mlflowDownloadArtifactProxiedRoute = defineRoute({
  operationId: 'mlflowDownloadArtifactProxied',
  dialect: 'mlflow',
  method: 'GET',
  path: '/api/2.0/mlflow-artifacts/artifacts/{artifact_path+}',
  entry: 'lambdas/download-artifact.ts',
  summary: 'Download a file: a 302 to a short-lived presigned S3 GET (MLflow)',
  access: 'read',
  tag: 'mlflow-artifacts',
  request: { path: artifactPathParameter },
  response: {
    status: 302,
    description: 'A redirect to the presigned S3 GET',
    body: mlflowObject,
    redirect: 'To the presigned S3 GET URL of this artifact',
  },
  // Query: only when the path is not a file, to tell a folder (400) from nothing (404).
  table: { actions: ['GetItem', 'UpdateItem', 'Query'] },
  // A redirected MLflow PUT is settled here: ListParts, then CompleteMultipartUpload (s3:PutObject) of its one part.
  bucket: { actions: ['GetObject', 'ListMultipartUploadParts', 'PutObject'] },
});
