import { defineRoute } from '../route-definition.ts';
import { experimentIdPath } from '../schemas/paths.ts';
import { experimentResponse, setExperimentTagsBody } from '../schemas/experiments.ts';

export const setExperimentTagsRoute = defineRoute({
  operationId: 'setExperimentTags',
  method: 'POST',
  path: '/api/v1/experiments/{experiment_id}/tags',
  entry: 'lambdas/set-experiment-tags.ts',
  summary: 'Set tags on an experiment (409 experiment.deleted while it is deleted)',
  access: 'write',
  tag: 'experiments',
  request: { path: experimentIdPath, body: setExperimentTagsBody },
  response: { status: 200, description: 'The experiment with its tags', body: experimentResponse },
  table: { actions: ['GetItem', 'PutItem', 'UpdateItem'] },
});
