import { defineRoute } from '../route-definition.ts';
import { modelVersionPath, modelVersionResponse } from '../schemas/registry.ts';

export const getModelVersionRoute = defineRoute({
  operationId: 'getModelVersion',
  method: 'GET',
  path: '/api/v1/models/{model_name}/versions/{version}',
  entry: 'lambdas/get-model-version.ts',
  summary: 'Get a version with its files, sizes and SHA-256',
  access: 'read',
  tag: 'registry',
  request: { path: modelVersionPath },
  response: { status: 200, description: 'The version', body: modelVersionResponse },
  table: { actions: ['GetItem'] },
});
