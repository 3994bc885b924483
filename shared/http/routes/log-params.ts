import { defineRoute } from '../route-definition.ts';
import { logParamsBody, logParamsResponse } from '../schemas/params.ts';
import { runIdPath } from '../schemas/paths.ts';

export const logParamsRoute = defineRoute({
  operationId: 'logParams',
  method: 'POST',
  path: '/api/v1/runs/{run_id}/params',
  entry: 'lambdas/log-params.ts',
  summary: 'Log immutable params: the same value again is accepted, a different one is a 409',
  access: 'write',
  tag: 'runs',
  request: { path: runIdPath, body: logParamsBody },
  response: { status: 200, description: 'The params as stored', body: logParamsResponse },
  table: { actions: ['GetItem', 'BatchGetItem', 'PutItem', 'UpdateItem', 'BatchWriteItem'] },
});
