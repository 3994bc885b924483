import { defineRoute } from '../route-definition.ts';
import { getArtifactQuery } from '../mlflow/artifact-schemas.ts';
import { mlflowObject } from '../mlflow/fields.ts';

/** The file route of MLflow's server and web app, at the root as there (not under /api/2.0). */
export const mlflowGetArtifactRoute = defineRoute({
  operationId: 'mlflowGetArtifact',
  dialect: 'mlflow',
  method: 'GET',
  path: '/get-artifact',
  entry: 'lambdas/download-artifact.ts',
  summary: "One file of a run's artifacts: a 302 to a short-lived presigned S3 GET of it (MLflow)",
  access: 'read',
  tag: 'mlflow-artifacts',
  request: { query: getArtifactQuery },
  response: {
    status: 302,
    description: 'A redirect to the presigned S3 GET',
    body: mlflowObject,
    redirect: 'To the presigned S3 GET URL of this artifact',
  },
  // Query: only when the path is not a file, to tell a folder (400) from nothing (404).
  table: { actions: ['GetItem', 'UpdateItem', 'Query'] },
  // A redirected MLflow PUT is settled here: ListParts, then CompleteMultipartUpload (s3:PutObject) of its one part.
  bucket: { actions: ['GetObject', 'ListMultipartUploadParts', 'PutObject'] },
});
