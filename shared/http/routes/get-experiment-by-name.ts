import { defineRoute } from '../route-definition.ts';
import { experimentResponse } from '../schemas/experiments.ts';
import { experimentNamePath } from '../schemas/paths.ts';

export const getExperimentByNameRoute = defineRoute({
  operationId: 'getExperimentByName',
  method: 'GET',
  path: '/api/v1/experiments/by-name/{experiment_name}',
  entry: 'lambdas/get-experiment-by-name.ts',
  summary: 'Get an experiment by its name (URL-encoded)',
  access: 'read',
  tag: 'experiments',
  request: { path: experimentNamePath },
  response: { status: 200, description: 'The experiment', body: experimentResponse },
  table: { actions: ['GetItem'] },
});
