import { defineRoute } from '../route-definition.ts';
import { modelVersionPath, versionDownloadResponse } from '../schemas/registry.ts';

export const getModelVersionDownloadRoute = defineRoute({
  operationId: 'getModelVersionDownload',
  method: 'GET',
  path: '/api/v1/models/{model_name}/versions/{version}/download',
  entry: 'lambdas/get-model-version-download.ts',
  summary: 'Short-lived presigned download URLs for every file of a version, with the sizes and SHA-256 to check',
  access: 'read',
  tag: 'registry',
  request: { path: modelVersionPath },
  response: { status: 200, description: 'The download URLs', body: versionDownloadResponse },
  table: { actions: ['GetItem'] },
  bucket: { actions: ['GetObject'] },
});
