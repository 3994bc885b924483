import { defineRoute } from '../route-definition.ts';
import { deletedResponse, modelAliasPath } from '../schemas/registry.ts';

export const deleteModelAliasRoute = defineRoute({
  operationId: 'deleteModelAlias',
  method: 'DELETE',
  path: '/api/v1/models/{model_name}/aliases/{alias}',
  entry: 'lambdas/delete-model-alias.ts',
  summary: 'Remove an alias; the removal is recorded in the alias history',
  access: 'write',
  tag: 'registry',
  request: { path: modelAliasPath },
  response: { status: 200, description: 'Deleted', body: deletedResponse },
  table: { actions: ['GetItem', 'UpdateItem', 'PutItem'] },
});
