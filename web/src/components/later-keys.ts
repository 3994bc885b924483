import { useEffect, useState } from 'preact/hooks';
import { type EntryList, readRunEntries } from '../api/run-entries.ts';
import type { SearchedRun } from '../api/types.ts';

/**
 * Keys past the first page of runs' params or tags, for the column picker. A search answer carries each
 * run's first MiB of params and tags (`params_truncated`, `tags_truncated` when there are more), so a key
 * only further on cannot be picked from the loaded runs. When the picker opens, the lists of the first
 * truncated runs are read whole (each may take a dozen pages: bounded in count, not read for every run
 * of a 10,000-run table) with the reads the table's cells share.
 */
export const laterRunsRead = 10;

export interface LaterKeys {
  params: readonly string[];
  tags: readonly string[];
  /** Runs whose lists are read or being read, and the truncated runs left unread past the bound. */
  read: number;
  unread: number;
  reading: boolean;
}

const none: LaterKeys = { params: [], tags: [], read: 0, unread: 0, reading: false };

export function useLaterKeys(runs: readonly SearchedRun[], wanted: boolean): LaterKeys {
  // (Looked for only once the picker has opened: a table holds up to 10,000 runs.)
  const truncated = wanted ? runs.filter((run) => run.params_truncated || run.tags_truncated) : [];
  const chosen = truncated.slice(0, laterRunsRead);
  const unread = truncated.length - chosen.length;
  const [found, setFound] = useState<LaterKeys>(none);
  useEffect(() => {
    if (!wanted || chosen.length === 0) return;
    let current = true;
    const params = new Set<string>();
    const tags = new Set<string>();
    const reads = chosen.flatMap((run) =>
      (['params', 'tags'] as const satisfies readonly EntryList[])
        .filter((list) => (list === 'params' ? run.params_truncated : run.tags_truncated))
        .map(async (list) => {
          const entries = await readRunEntries(run.run_id, list, list === 'params' ? run.params : run.tags);
          for (const key of entries.keys()) (list === 'params' ? params : tags).add(key);
          if (current) setFound((before) => ({ ...before, params: [...params], tags: [...tags] }));
        }),
    );
    setFound({ ...none, read: chosen.length, unread, reading: true });
    // A list that cannot be read leaves its keys out; the others still come.
    void Promise.allSettled(reads).then(() => {
      if (current) setFound((before) => ({ ...before, reading: false }));
    });
    return () => {
      current = false;
    };
  }, [wanted, chosen.map((run) => run.run_id).join(','), unread]);
  return wanted ? found : none;
}
