import { defineRoute } from '../route-definition.ts';
import { deletedResponse, modelNamePath } from '../schemas/registry.ts';

export const deleteRegisteredModelRoute = defineRoute({
  operationId: 'deleteRegisteredModel',
  method: 'DELETE',
  path: '/api/v1/models/{model_name}',
  entry: 'lambdas/delete-registered-model.ts',
  summary:
    'Delete a registered model with all its versions and its alias history (admin); their artifacts become deletable again',
  access: 'admin',
  tag: 'registry',
  request: { path: modelNamePath },
  response: { status: 200, description: 'Deleted', body: deletedResponse },
  table: { actions: ['GetItem', 'UpdateItem', 'DeleteItem', 'Query', 'BatchWriteItem'] },
});
