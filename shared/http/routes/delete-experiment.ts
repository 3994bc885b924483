import { defineRoute } from '../route-definition.ts';
import { experimentIdPath } from '../schemas/paths.ts';
import { experimentResponse } from '../schemas/experiments.ts';

export const deleteExperimentRoute = defineRoute({
  operationId: 'deleteExperiment',
  method: 'DELETE',
  path: '/api/v1/experiments/{experiment_id}',
  entry: 'lambdas/delete-experiment.ts',
  summary:
    'Soft-delete an experiment: it leaves lists until restored, every run of it reads as deleted; its name stays taken until it is purged',
  access: 'write',
  tag: 'experiments',
  request: { path: experimentIdPath },
  response: { status: 200, description: 'The deleted experiment', body: experimentResponse },
  table: { actions: ['GetItem', 'PutItem', 'UpdateItem'] },
});
