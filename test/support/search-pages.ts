import { expect } from 'vitest';
import type { ApiClient } from './local-api.ts';

/**
 * Every run a v1 search finds in one experiment, page after page (50 a page),
 * as sorted ids, with the plan header of the first page.
 */
export async function searchAllPages(api: ApiClient, experimentId: string, filter: string) {
  const ids: string[] = [];
  let plan = '';
  let token: string | undefined;
  do {
    const page = await api.post('/api/v1/runs/search', {
      experiment_ids: [experimentId],
      filter,
      max_results: 50,
      ...(token ? { page_token: token } : {}),
    });
    expect(page.status, JSON.stringify(page.body)).toBe(200);
    ids.push(...page.body.runs.map((run: { run_id: string }) => run.run_id));
    plan ||= decodeURIComponent(page.headers.get('x-stratus-search-plan') ?? '');
    token = page.body.next_page_token;
  } while (token);
  return { ids: ids.sort(), plan };
}
