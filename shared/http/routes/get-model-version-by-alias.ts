import { defineRoute } from '../route-definition.ts';
import { modelAliasPath, modelVersionResponse } from '../schemas/registry.ts';

export const getModelVersionByAliasRoute = defineRoute({
  operationId: 'getModelVersionByAlias',
  method: 'GET',
  path: '/api/v1/models/{model_name}/aliases/{alias}',
  entry: 'lambdas/get-model-version-by-alias.ts',
  summary: 'Get the version an alias points at',
  access: 'read',
  tag: 'registry',
  request: { path: modelAliasPath },
  response: { status: 200, description: 'The version', body: modelVersionResponse },
  table: { actions: ['GetItem'] },
});
