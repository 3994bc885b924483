import { defineRoute } from '../route-definition.ts';
import { artifactPathParameter } from '../mlflow/artifact-schemas.ts';
import { mlflowObject } from '../mlflow/fields.ts';

export const mlflowUploadArtifactRoute = defineRoute({
  operationId: 'mlflowUploadArtifact',
  dialect: 'mlflow',
  method: 'PUT',
  path: '/api/2.0/mlflow-artifacts/artifacts/{artifact_path+}',
  entry: 'lambdas/create-artifact-upload.ts',
  summary:
    'Upload a file below 4 MiB: answered with a 307 to a presigned S3 part URL that the client re-sends the body to; the service completes the upload, so the URL can never replace a stored artifact (an empty file: 200, stored at once) (MLflow)',
  access: 'write',
  tag: 'mlflow-artifacts',
  request: { path: artifactPathParameter },
  response: {
    status: 307,
    description: 'A redirect to the presigned S3 part upload',
    body: mlflowObject,
    redirect: "To the presigned URL of the only part of this artifact's S3 multipart upload",
    also: { status: 200, description: 'An empty file: stored at once, nothing to redirect' },
  },
  // UpdateItem: an empty file is recorded COMPLETE at once.
  table: { actions: ['GetItem', 'PutItem', 'UpdateItem'] },
  bucket: { actions: ['PutObject', 'AbortMultipartUpload', 'DeleteObject'] },
});
