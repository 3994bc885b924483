import { defineRoute } from '../route-definition.ts';
import { createVersionBody, modelNamePath, modelVersionResponse } from '../schemas/registry.ts';

export const createModelVersionRoute = defineRoute({
  operationId: 'createModelVersion',
  method: 'POST',
  path: '/api/v1/models/{model_name}/versions',
  entry: 'lambdas/create-model-version.ts',
  summary:
    "Register the next version from a run's COMPLETE artifact or folder; sizes and SHA-256 are recorded and the artifacts become immutable",
  access: 'write',
  tag: 'registry',
  request: { path: modelNamePath, body: createVersionBody },
  response: { status: 201, description: 'The new version', body: modelVersionResponse },
  // gsi1: a runs:/<run>/<name> source with no files there is the run's MLflow 3 logged model of that name.
  table: { actions: ['GetItem', 'Query', 'PutItem', 'UpdateItem', 'ConditionCheckItem'], indexes: ['gsi1'] },
  // A redirected MLflow PUT is settled here: ListParts, then CompleteMultipartUpload (s3:PutObject) of its one part.
  bucket: { actions: ['GetObject', 'ListMultipartUploadParts', 'PutObject'] },
  // Files uploaded without a SHA-256 S3 checked are read and hashed: up to 256 MiB, at S3's ~60 MB/s a few seconds.
  timeoutSeconds: 28,
});
