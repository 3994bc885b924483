import { defineRoute } from '../route-definition.ts';
import { experimentIdPath } from '../schemas/paths.ts';
import { experimentResponse } from '../schemas/experiments.ts';
import { updateExperimentBody } from '../schemas/lifecycle.ts';

export const updateExperimentRoute = defineRoute({
  operationId: 'updateExperiment',
  method: 'PATCH',
  path: '/api/v1/experiments/{experiment_id}',
  entry: 'lambdas/update-experiment.ts',
  summary: 'Rename an experiment (its new name must be free; 409 experiment.not_active while it is deleted)',
  access: 'write',
  tag: 'experiments',
  request: { path: experimentIdPath, body: updateExperimentBody },
  response: { status: 200, description: 'The renamed experiment', body: experimentResponse },
  table: { actions: ['GetItem', 'PutItem', 'DeleteItem', 'UpdateItem'] },
});
