import { defineRoute } from '../route-definition.ts';
import { artifactPathParameter, createMultipartBody } from '../mlflow/artifact-schemas.ts';
import { mlflowObject } from '../mlflow/fields.ts';

export const mlflowCreateMultipartUploadRoute = defineRoute({
  operationId: 'mlflowCreateMultipartUpload',
  dialect: 'mlflow',
  method: 'POST',
  path: '/api/2.0/mlflow-artifacts/mpu/create/{artifact_path+}',
  entry: 'lambdas/create-artifact-upload.ts',
  summary: 'Start a multipart upload: presigned S3 part URLs (MLflow)',
  access: 'write',
  tag: 'mlflow-artifacts',
  request: { path: artifactPathParameter, body: createMultipartBody },
  response: { status: 200, description: 'MLflow\'s answer: {"upload_id", "credentials"}', body: mlflowObject },
  table: { actions: ['GetItem', 'PutItem'] },
  bucket: { actions: ['PutObject', 'AbortMultipartUpload'] },
});
