import { defineRoute } from '../route-definition.ts';
import { createArtifactBody, uploadPlanResponse } from '../schemas/artifacts.ts';
import { runIdPath } from '../schemas/paths.ts';

export const createArtifactUploadRoute = defineRoute({
  operationId: 'createArtifactUpload',
  method: 'POST',
  path: '/api/v1/runs/{run_id}/artifacts',
  entry: 'lambdas/create-artifact-upload.ts',
  summary: 'Plan an artifact upload: one presigned PUT, or presigned multipart part URLs above the threshold',
  access: 'write',
  tag: 'artifacts',
  request: { path: runIdPath, body: createArtifactBody },
  response: { status: 201, description: 'The upload plan', body: uploadPlanResponse },
  table: { actions: ['GetItem', 'PutItem'] },
  // PutObject signs the PUT and part URLs and opens multipart uploads; a replaced pending one is
  // aborted, and the bytes of a replaced pending single upload deleted.
  bucket: { actions: ['PutObject', 'AbortMultipartUpload', 'DeleteObject'] },
});
