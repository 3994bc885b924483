import { runEntryPage } from '../domain/run-entry-pages.ts';
import { decodeCursor, encodeCursor } from '../storage/cursor.ts';
import type { RunReader } from '../storage/run-reader.ts';
import type { RequestScope } from './deps.ts';
import { getRun } from './runs.ts';

export interface RunEntriesInput {
  limit: number;
  pageToken: string | undefined;
}

/**
 * A page of a run's params or tags, in key order (shared/http/run-entry-pages.ts: each page under
 * 1 MiB of the answer). The token seals the page's last key, bound to the run and the list.
 */
export async function listRunEntries(
  scope: RequestScope,
  runId: string,
  list: 'params' | 'tags',
  input: RunEntriesInput,
  deps: { runs: Pick<RunReader, 'getDetails' | 'experimentStage'> },
): Promise<{ entries: Record<string, string>; cursor: string | undefined }> {
  const binding = `run-${list}#${scope.workspace}#${runId}`;
  const position = await decodeCursor(binding, input.pageToken);
  const run = await getRun(scope, runId, deps);
  const after = typeof position?.after === 'string' ? position.after : undefined;
  const page = runEntryPage(run[list], after, input.limit);
  return {
    entries: page.entries,
    cursor: page.more === undefined ? undefined : await encodeCursor(binding, { after: page.more }),
  };
}
