import { defineRoute } from '../route-definition.ts';
import { modelAliasPath, registeredModelResponse, setAliasBody } from '../schemas/registry.ts';

export const setModelAliasRoute = defineRoute({
  operationId: 'setModelAlias',
  method: 'PUT',
  path: '/api/v1/models/{model_name}/aliases/{alias}',
  entry: 'lambdas/set-model-alias.ts',
  summary: 'Point an alias at a version, moving it if it pointed elsewhere; the move is recorded in the alias history',
  access: 'write',
  tag: 'registry',
  request: { path: modelAliasPath, body: setAliasBody },
  response: { status: 200, description: 'The registered model with its aliases', body: registeredModelResponse },
  // Query: the model's highest version now, for latest_version (one key).
  table: { actions: ['GetItem', 'UpdateItem', 'PutItem', 'Query'] },
});
