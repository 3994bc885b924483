import { expect } from 'vitest';
import type { ApiClient } from './local-api.ts';

/**
 * Every run a v1 search finds in one experiment, page after page of
 * `pageSize`, in the order the pages give them, with the plan header of the
 * first page.
 */
export async function searchPages(
  api: ApiClient,
  experimentId: string,
  filter: string,
  { orderBy = [], pageSize = 50 }: { orderBy?: string[]; pageSize?: number } = {},
) {
  const ids: string[] = [];
  let plan = '';
  let token: string | undefined;
  do {
    const page = await api.post('/api/v1/runs/search', {
      experiment_ids: [experimentId],
      filter,
      order_by: orderBy,
      max_results: pageSize,
      ...(token ? { page_token: token } : {}),
    });
    expect(page.status, JSON.stringify(page.body)).toBe(200);
    ids.push(...page.body.runs.map((run: { run_id: string }) => run.run_id));
    plan ||= decodeURIComponent(page.headers.get('x-stratus-search-plan') ?? '');
    token = page.body.next_page_token;
  } while (token);
  return { ids, plan };
}

/** Every run a v1 search finds in one experiment (50 a page), as sorted ids, with the plan header of the first page. */
export async function searchAllPages(api: ApiClient, experimentId: string, filter: string) {
  const { ids, plan } = await searchPages(api, experimentId, filter);
  return { ids: ids.sort(), plan };
}
