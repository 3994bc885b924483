import { defineRoute } from '../route-definition.ts';
import { artifactListResponse, listArtifactsQuery } from '../schemas/artifacts.ts';
import { runIdPath } from '../schemas/paths.ts';

export const listArtifactsRoute = defineRoute({
  operationId: 'listArtifacts',
  method: 'GET',
  path: '/api/v1/runs/{run_id}/artifacts',
  entry: 'lambdas/list-artifacts.ts',
  summary: "List a run's artifacts in path order, optionally under a prefix, or one folder level (delimiter=/)",
  access: 'read',
  tag: 'artifacts',
  request: { path: runIdPath, query: listArtifactsQuery },
  pageTokens: true,
  response: { status: 200, description: 'A page of artifacts', body: artifactListResponse },
  table: { actions: ['GetItem', 'Query', 'UpdateItem'] },
  // A redirected MLflow PUT is settled here: ListParts, then CompleteMultipartUpload (s3:PutObject) of its one part.
  bucket: { actions: ['GetObject', 'ListMultipartUploadParts', 'PutObject'] },
});
