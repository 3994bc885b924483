import { defineRoute } from '../route-definition.ts';
import { experimentResponse } from '../schemas/experiments.ts';
import { experimentIdPath } from '../schemas/paths.ts';

export const getExperimentRoute = defineRoute({
  operationId: 'getExperiment',
  method: 'GET',
  path: '/api/v1/experiments/{experiment_id}',
  entry: 'lambdas/get-experiment.ts',
  summary: 'Get an experiment by id',
  access: 'read',
  tag: 'experiments',
  request: { path: experimentIdPath },
  response: { status: 200, description: 'The experiment', body: experimentResponse },
  table: { actions: ['GetItem', 'PutItem'] }, // PutItem: the default experiment "0" is created on first use
});
