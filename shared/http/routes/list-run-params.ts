import { defineRoute } from '../route-definition.ts';
import { runIdPath } from '../schemas/paths.ts';
import * as z from 'zod/mini';
import { limits } from '../../limits.ts';
import { pageSize, pageToken } from '../schemas/text.ts';

export const listRunParamsRoute = defineRoute({
  operationId: 'listRunParams',
  method: 'GET',
  path: '/api/v1/runs/{run_id}/params',
  entry: 'lambdas/list-run-params.ts',
  summary:
    "A page of a run's params, in key order: a run's answer carries the first, and params_truncated when there are more",
  access: 'read',
  pageTokens: true,
  tag: 'runs',
  request: {
    path: runIdPath,
    query: z.object({ max_results: pageSize(limits.pageSizeMax, limits.pageSizeMax), page_token: pageToken }),
  },
  response: {
    status: 200,
    description: "A page of the run's params (under 1 MiB)",
    body: z.object({ params: z.record(z.string(), z.string()), next_page_token: z.optional(z.string()) }),
  },
  table: { actions: ['GetItem', 'Query'] },
});
