import { defineRoute } from '../route-definition.ts';
import { experimentIdPath } from '../schemas/paths.ts';
import { purgeResponse } from '../schemas/lifecycle.ts';

export const purgeExperimentRoute = defineRoute({
  operationId: 'purgeExperiment',
  method: 'POST',
  path: '/api/v1/experiments/{experiment_id}/purge',
  entry: 'lambdas/purge-experiment.ts',
  summary:
    'Irreversibly remove a deleted experiment, all its runs, their data and their artifacts in S3; its name becomes free (admin)',
  access: 'admin',
  tag: 'experiments',
  request: { path: experimentIdPath },
  response: { status: 200, description: 'What was removed', body: purgeResponse },
  table: { actions: ['GetItem', 'Query', 'BatchWriteItem', 'UpdateItem'], indexes: ['gsi1'] },
  bucket: { actions: ['ListBucket', 'DeleteObject'] },
});
