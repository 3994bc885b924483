import { defineRoute } from '../route-definition.ts';
import { runIdPath } from '../schemas/paths.ts';
import * as z from 'zod/mini';
import { limits } from '../../limits.ts';
import { pageSize, pageToken } from '../schemas/text.ts';

export const listRunTagsRoute = defineRoute({
  operationId: 'listRunTags',
  method: 'GET',
  path: '/api/v1/runs/{run_id}/tags',
  entry: 'lambdas/list-run-tags.ts',
  summary:
    "A page of a run's tags, in key order: a run's answer carries the first, and tags_truncated when there are more",
  access: 'read',
  pageTokens: true,
  tag: 'runs',
  request: {
    path: runIdPath,
    query: z.object({ max_results: pageSize(limits.pageSizeMax, limits.pageSizeMax), page_token: pageToken }),
  },
  response: {
    status: 200,
    description: "A page of the run's tags (under 1 MiB)",
    body: z.object({ tags: z.record(z.string(), z.string()), next_page_token: z.optional(z.string()) }),
  },
  table: { actions: ['GetItem', 'Query'] },
});
