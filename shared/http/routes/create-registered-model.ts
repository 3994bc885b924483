import { defineRoute } from '../route-definition.ts';
import { createModelBody, registeredModelResponse } from '../schemas/registry.ts';

export const createRegisteredModelRoute = defineRoute({
  operationId: 'createRegisteredModel',
  method: 'POST',
  path: '/api/v1/models',
  entry: 'lambdas/create-registered-model.ts',
  summary: 'Create a registered model; its name must be unique in the workspace',
  access: 'write',
  tag: 'registry',
  request: { body: createModelBody },
  response: { status: 201, description: 'The new registered model', body: registeredModelResponse },
  table: { actions: ['GetItem', 'PutItem'] },
});
