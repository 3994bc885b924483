import { defineRoute } from '../route-definition.ts';
import { modelNamePath, registeredModelResponse, updateModelBody } from '../schemas/registry.ts';

export const updateRegisteredModelRoute = defineRoute({
  operationId: 'updateRegisteredModel',
  method: 'PATCH',
  path: '/api/v1/models/{model_name}',
  entry: 'lambdas/update-registered-model.ts',
  summary: 'Rename a registered model, change its description, set tags (null deletes one)',
  access: 'write',
  tag: 'registry',
  request: { path: modelNamePath, body: updateModelBody },
  response: { status: 200, description: 'The registered model as changed', body: registeredModelResponse },
  // Query: the model's highest version now, for latest_version (one key).
  table: { actions: ['GetItem', 'UpdateItem', 'PutItem', 'DeleteItem', 'Query'] },
});
