import { defineRoute } from '../route-definition.ts';
import { downloadArtifactQuery, downloadArtifactResponse } from '../schemas/artifacts.ts';
import { runIdPath } from '../schemas/paths.ts';

export const downloadArtifactRoute = defineRoute({
  operationId: 'downloadArtifact',
  method: 'GET',
  path: '/api/v1/runs/{run_id}/artifacts/download',
  entry: 'lambdas/download-artifact.ts',
  summary: 'A short-lived presigned download URL; with redirect=true a 302 to it',
  access: 'read',
  tag: 'artifacts',
  request: { path: runIdPath, query: downloadArtifactQuery },
  response: {
    status: 200,
    description: 'The download URL',
    body: downloadArtifactResponse,
    redirect: 'With redirect=true: to the presigned download URL',
  },
  // Query: only when the path is not a file, to tell a folder (400) from nothing (404).
  table: { actions: ['GetItem', 'UpdateItem', 'Query'] },
  // A redirected MLflow PUT is settled here: ListParts, then CompleteMultipartUpload (s3:PutObject) of its one part.
  bucket: { actions: ['GetObject', 'ListMultipartUploadParts', 'PutObject'] },
});
