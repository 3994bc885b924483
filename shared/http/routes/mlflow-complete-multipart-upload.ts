import { defineRoute } from '../route-definition.ts';
import { artifactPathParameter, completeMultipartBody } from '../mlflow/artifact-schemas.ts';
import { mlflowObject } from '../mlflow/fields.ts';

export const mlflowCompleteMultipartUploadRoute = defineRoute({
  operationId: 'mlflowCompleteMultipartUpload',
  dialect: 'mlflow',
  method: 'POST',
  path: '/api/2.0/mlflow-artifacts/mpu/complete/{artifact_path+}',
  entry: 'lambdas/complete-artifact-upload.ts',
  summary: 'Complete a multipart upload (MLflow)',
  access: 'write',
  tag: 'mlflow-artifacts',
  request: { path: artifactPathParameter, body: completeMultipartBody },
  response: { status: 200, description: "MLflow's answer: {}", body: mlflowObject },
  table: { actions: ['GetItem', 'UpdateItem'] },
  bucket: { actions: ['PutObject', 'GetObject'] },
});
