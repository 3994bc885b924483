import { defineRoute } from '../route-definition.ts';
import { runIdPath } from '../schemas/paths.ts';
import { logRunInputsBody } from '../schemas/run-inputs.ts';
import { runLineageResponse } from '../schemas/run-lineage.ts';

export const logRunInputsRoute = defineRoute({
  operationId: 'logRunInputs',
  method: 'POST',
  path: '/api/v1/runs/{run_id}/inputs',
  entry: 'lambdas/log-run-io.ts',
  summary:
    'Record the datasets a run used (what for: `context`) and the logged models it used, as MLflow’s log_input does; a dataset already recorded (same name and digest) keeps its first record',
  access: 'write',
  tag: 'runs',
  request: { path: runIdPath, body: logRunInputsBody },
  response: {
    status: 200,
    description: "The run's datasets and logged models after the write",
    body: runLineageResponse,
  },
  table: { actions: ['GetItem', 'PutItem', 'UpdateItem', 'Query'] },
});
