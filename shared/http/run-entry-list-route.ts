import * as z from 'zod/mini';
import { limits } from '../limits.ts';
import { defineRoute } from './route-definition.ts';
import { runIdPath } from './schemas/paths.ts';
import { pageSize, pageToken } from './schemas/text.ts';

/** Which of a run's key/value lists a route pages (shared/use-cases/run-entries.ts). */
export type RunEntryList = 'params' | 'tags';

/**
 * The route of one of a run's key/value lists: `listRunParams` and `listRunTags` are the same
 * operation on another list, so they are made here, each in its own route module and function.
 */
export const runEntryListRoute = <const L extends RunEntryList, const Id extends string>(list: L, operationId: Id) =>
  defineRoute({
    operationId,
    method: 'GET',
    path: `/api/v1/runs/{run_id}/${list}`,
    entry: `lambdas/list-run-${list}.ts`,
    summary: `A page of a run's ${list}, in key order: a run's answer carries the first, and ${list}_truncated when there are more`,
    access: 'read',
    pageTokens: true,
    tag: 'runs',
    request: {
      path: runIdPath,
      query: z.object({ max_results: pageSize(limits.pageSizeMax, limits.pageSizeMax), page_token: pageToken }),
    },
    response: {
      status: 200,
      description: `A page of the run's ${list} (under 1 MiB)`,
      body: z.object({ [list]: z.record(z.string(), z.string()), next_page_token: z.optional(z.string()) }),
    },
    table: { actions: ['GetItem', 'Query'] },
  });
