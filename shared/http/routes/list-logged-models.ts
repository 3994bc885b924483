import { defineRoute } from '../route-definition.ts';
import { loggedModelListResponse, listLoggedModelsQuery } from '../schemas/logged-models.ts';
import { experimentIdPath } from '../schemas/paths.ts';

export const listLoggedModelsRoute = defineRoute({
  operationId: 'listLoggedModels',
  method: 'GET',
  path: '/api/v1/experiments/{experiment_id}/logged-models',
  entry: 'lambdas/get-logged-model.ts',
  summary:
    "An experiment's logged models (MLflow 3 log_model), newest first: status, source run, params, tags and latest metrics",
  access: 'read',
  tag: 'experiments',
  request: { path: experimentIdPath, query: listLoggedModelsQuery },
  response: { status: 200, description: 'A page of logged models', body: loggedModelListResponse },
  pageTokens: true,
  table: { actions: ['GetItem', 'Query'], indexes: ['gsi1'] },
});
