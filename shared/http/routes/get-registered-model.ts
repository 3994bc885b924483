import { defineRoute } from '../route-definition.ts';
import { modelNamePath, registeredModelResponse } from '../schemas/registry.ts';

export const getRegisteredModelRoute = defineRoute({
  operationId: 'getRegisteredModel',
  method: 'GET',
  path: '/api/v1/models/{model_name}',
  entry: 'lambdas/get-registered-model.ts',
  summary: 'Get a registered model by name (URL-encoded), with its aliases',
  access: 'read',
  tag: 'registry',
  request: { path: modelNamePath },
  response: { status: 200, description: 'The registered model', body: registeredModelResponse },
  // Query: the model's highest version now, for latest_version (one key).
  table: { actions: ['GetItem', 'Query'] },
});
