import { defineRoute } from '../route-definition.ts';
import { experimentResponse } from '../schemas/experiments.ts';
import { experimentTagPath } from '../schemas/lifecycle.ts';

export const deleteExperimentTagRoute = defineRoute({
  operationId: 'deleteExperimentTag',
  method: 'DELETE',
  path: '/api/v1/experiments/{experiment_id}/tags/{tag_key}',
  entry: 'lambdas/delete-experiment-tag.ts',
  summary: 'Remove a tag from an experiment (409 experiment.deleted while it is deleted)',
  access: 'write',
  tag: 'experiments',
  request: { path: experimentTagPath },
  response: { status: 200, description: 'The experiment without the tag', body: experimentResponse },
  table: { actions: ['GetItem', 'PutItem', 'UpdateItem'] },
});
