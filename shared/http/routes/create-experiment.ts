import { defineRoute } from '../route-definition.ts';
import { createExperimentBody, experimentResponse } from '../schemas/experiments.ts';

export const createExperimentRoute = defineRoute({
  operationId: 'createExperiment',
  method: 'POST',
  path: '/api/v1/experiments',
  entry: 'lambdas/create-experiment.ts',
  summary: 'Create an experiment; its name must be unique',
  access: 'write',
  tag: 'experiments',
  request: { body: createExperimentBody },
  response: { status: 201, description: 'The new experiment', body: experimentResponse },
  table: { actions: ['GetItem', 'PutItem'] },
});
