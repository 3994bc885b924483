import { defineRoute } from '../route-definition.ts';
import { deletedResponse, modelVersionPath } from '../schemas/registry.ts';

export const deleteModelVersionRoute = defineRoute({
  operationId: 'deleteModelVersion',
  method: 'DELETE',
  path: '/api/v1/models/{model_name}/versions/{version}',
  entry: 'lambdas/delete-model-version.ts',
  summary:
    'Delete a version (admin): its aliases are removed and recorded, its artifacts become deletable again, its number is never reused',
  access: 'admin',
  tag: 'registry',
  request: { path: modelVersionPath },
  response: { status: 200, description: 'Deleted', body: deletedResponse },
  table: { actions: ['GetItem', 'UpdateItem', 'DeleteItem', 'PutItem'] },
});
