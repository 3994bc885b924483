import { defineRoute } from '../route-definition.ts';
import { experimentIdPath } from '../schemas/paths.ts';
import { experimentResponse } from '../schemas/experiments.ts';

export const restoreExperimentRoute = defineRoute({
  operationId: 'restoreExperiment',
  method: 'POST',
  path: '/api/v1/experiments/{experiment_id}/restore',
  entry: 'lambdas/restore-experiment.ts',
  summary: 'Restore a deleted experiment, and its runs to their own stages',
  access: 'write',
  tag: 'experiments',
  request: { path: experimentIdPath },
  response: { status: 200, description: 'The restored experiment', body: experimentResponse },
  table: { actions: ['GetItem', 'PutItem', 'UpdateItem'] },
});
