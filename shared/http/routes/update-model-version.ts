import { defineRoute } from '../route-definition.ts';
import { modelVersionPath, modelVersionResponse, updateVersionBody } from '../schemas/registry.ts';

export const updateModelVersionRoute = defineRoute({
  operationId: 'updateModelVersion',
  method: 'PATCH',
  path: '/api/v1/models/{model_name}/versions/{version}',
  entry: 'lambdas/update-model-version.ts',
  summary: "Change a version's description and tags (null deletes one); its files never change",
  access: 'write',
  tag: 'registry',
  request: { path: modelVersionPath, body: updateVersionBody },
  response: { status: 200, description: 'The version as changed', body: modelVersionResponse },
  table: { actions: ['GetItem', 'UpdateItem'] },
});
