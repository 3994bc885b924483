import { defineRoute } from '../route-definition.ts';
import { artifactPathParameter, mlflowObject } from '../mlflow/schemas.ts';

export const mlflowUploadArtifactRoute = defineRoute({
  operationId: 'mlflowUploadArtifact',
  dialect: 'mlflow',
  method: 'PUT',
  path: '/api/2.0/mlflow-artifacts/artifacts/{artifact_path+}',
  entry: 'lambdas/create-artifact-upload.ts',
  summary:
    'Upload a file below 4 MiB: answered with a 307 to a presigned S3 PUT that the client re-sends the body to (MLflow)',
  access: 'write',
  tag: 'mlflow-artifacts',
  request: { path: artifactPathParameter },
  response: {
    status: 307,
    description: 'A redirect to the presigned S3 PUT',
    body: mlflowObject,
    redirect: 'To the presigned S3 PUT URL of this artifact',
  },
  table: { actions: ['GetItem', 'PutItem'] },
  bucket: { actions: ['PutObject', 'AbortMultipartUpload', 'DeleteObject'] },
});
