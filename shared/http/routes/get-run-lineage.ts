import { defineRoute } from '../route-definition.ts';
import { runIdPath } from '../schemas/paths.ts';
import { runLineageResponse } from '../schemas/run-lineage.ts';

export const getRunLineageRoute = defineRoute({
  operationId: 'getRunLineage',
  method: 'GET',
  path: '/api/v1/runs/{run_id}/lineage',
  entry: 'lambdas/get-run-lineage.ts',
  summary:
    'The datasets a run used and the logged models it used and produced (MLflow 3 log_input, log_model), with the models’ names',
  access: 'read',
  tag: 'runs',
  request: { path: runIdPath },
  response: { status: 200, description: "The run's datasets and logged models", body: runLineageResponse },
  table: { actions: ['GetItem', 'Query'] },
});
