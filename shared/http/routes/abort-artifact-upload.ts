import { defineRoute } from '../route-definition.ts';
import { abortArtifactBody, abortArtifactResponse } from '../schemas/artifacts.ts';
import { runIdPath } from '../schemas/paths.ts';

export const abortArtifactUploadRoute = defineRoute({
  operationId: 'abortArtifactUpload',
  method: 'POST',
  path: '/api/v1/runs/{run_id}/artifacts/abort',
  entry: 'lambdas/abort-artifact-upload.ts',
  summary: 'Cancel an open multipart upload and forget the pending artifact',
  access: 'write',
  tag: 'artifacts',
  request: { path: runIdPath, body: abortArtifactBody },
  response: { status: 200, description: 'The aborted upload', body: abortArtifactResponse },
  table: { actions: ['GetItem', 'DeleteItem'] },
  bucket: { actions: ['AbortMultipartUpload'] },
});
