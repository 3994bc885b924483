import { defineRoute } from '../route-definition.ts';
import { mlflowRegistryObject, modelVersionArtifactQuery } from '../mlflow/registry-schemas.ts';

/** The file route of MLflow's server and web app for a registered version, at the root as there. */
export const mlflowGetModelVersionArtifactRoute = defineRoute({
  operationId: 'mlflowGetModelVersionArtifact',
  dialect: 'mlflow',
  method: 'GET',
  path: '/model-versions/get-artifact',
  entry: 'lambdas/get-model-version-download.ts',
  summary: 'One file of a model version: a 302 to a short-lived presigned S3 GET of it (MLflow)',
  access: 'read',
  tag: 'mlflow',
  request: { query: modelVersionArtifactQuery },
  response: {
    status: 302,
    description: 'A redirect to the presigned S3 GET',
    body: mlflowRegistryObject,
    redirect: 'To the presigned S3 GET URL of this file of the version',
  },
  table: { actions: ['GetItem'] },
  bucket: { actions: ['GetObject'] },
});
