import { defineRoute } from '../route-definition.ts';
import { artifactPathParameter } from '../mlflow/artifact-schemas.ts';
import { mlflowObject } from '../mlflow/fields.ts';

export const mlflowPresignedDownloadRoute = defineRoute({
  operationId: 'mlflowPresignedDownload',
  dialect: 'mlflow',
  method: 'GET',
  path: '/api/2.0/mlflow-artifacts/presigned/{artifact_path+}',
  entry: 'lambdas/download-artifact.ts',
  summary: 'A presigned S3 GET URL for a file, with its size (MLflow)',
  access: 'read',
  tag: 'mlflow-artifacts',
  request: { path: artifactPathParameter },
  response: { status: 200, description: 'MLflow\'s answer: {"url", "headers", "file_size"}', body: mlflowObject },
  // Query: only when the path is not a file, to tell a folder (400) from nothing (404).
  table: { actions: ['GetItem', 'UpdateItem', 'Query'] },
  // A redirected MLflow PUT is settled here: ListParts, then CompleteMultipartUpload (s3:PutObject) of its one part.
  bucket: { actions: ['GetObject', 'ListMultipartUploadParts', 'PutObject'] },
});
