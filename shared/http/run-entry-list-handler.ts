import { runReader } from '../runtime.ts';
import { listRunEntries } from '../use-cases/run-entries.ts';
import { createHandler } from './handler.ts';
import type { runEntryListRoute, RunEntryList } from './run-entry-list-route.ts';

/** The handler of a run's params or tags list (run-entry-list-route.ts): one page, and the token after it. */
export function runEntryListHandler<L extends RunEntryList>(
  route: ReturnType<typeof runEntryListRoute<L, string>>,
  list: L,
) {
  const deps = { runs: runReader() };
  return createHandler(route, async ({ path, query }, { scope }) => {
    const page = await listRunEntries(
      scope,
      path.run_id,
      list,
      { limit: query.max_results, pageToken: query.page_token },
      deps,
    );
    return { body: { [list]: page.entries, next_page_token: page.cursor } };
  });
}
