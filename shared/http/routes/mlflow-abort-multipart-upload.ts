import { defineRoute } from '../route-definition.ts';
import { abortMultipartBody, artifactPathParameter } from '../mlflow/artifact-schemas.ts';
import { mlflowObject } from '../mlflow/fields.ts';

export const mlflowAbortMultipartUploadRoute = defineRoute({
  operationId: 'mlflowAbortMultipartUpload',
  dialect: 'mlflow',
  method: 'POST',
  path: '/api/2.0/mlflow-artifacts/mpu/abort/{artifact_path+}',
  entry: 'lambdas/abort-artifact-upload.ts',
  summary: 'Abort a multipart upload (MLflow)',
  access: 'write',
  tag: 'mlflow-artifacts',
  request: { path: artifactPathParameter, body: abortMultipartBody },
  response: { status: 200, description: "MLflow's answer: {}", body: mlflowObject },
  table: { actions: ['GetItem', 'DeleteItem'] },
  bucket: { actions: ['AbortMultipartUpload'] },
});
