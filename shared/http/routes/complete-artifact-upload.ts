import { defineRoute } from '../route-definition.ts';
import { artifactResponse, completeArtifactBody } from '../schemas/artifacts.ts';
import { runIdPath } from '../schemas/paths.ts';

export const completeArtifactUploadRoute = defineRoute({
  operationId: 'completeArtifactUpload',
  method: 'POST',
  path: '/api/v1/runs/{run_id}/artifacts/complete',
  entry: 'lambdas/complete-artifact-upload.ts',
  summary: 'Finish an upload: the object must be in S3 with the declared size',
  access: 'write',
  tag: 'artifacts',
  request: { path: runIdPath, body: completeArtifactBody },
  response: { status: 200, description: 'The COMPLETE artifact', body: artifactResponse },
  table: { actions: ['GetItem', 'UpdateItem'] },
  // PutObject covers CompleteMultipartUpload; GetObject covers the HeadObject size check.
  bucket: { actions: ['PutObject', 'GetObject'] },
});
