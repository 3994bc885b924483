import { useEffect, useState } from 'preact/hooks';
import { api, unwrap } from './client.ts';

/**
 * A run's params or tags whole. A run answer carries at most 1 MiB of each and says `params_truncated` /
 * `tags_truncated` when there are more; the rest is read page by page from `GET /api/v1/runs/{id}/params`
 * (or `/tags`). The lists route has no token to start from where the answer stopped (tokens are sealed), so
 * it is read from its first page, and each page is added to what the answer gave as it comes.
 */
export type EntryList = 'params' | 'tags';

export interface RunEntries {
  /** Keys are user-chosen: a Map, never an object's properties. */
  entries: ReadonlyMap<string, string>;
  /** False while pages are still being read, or when reading them failed. */
  complete: boolean;
  error?: Error;
}

/** The pages the lists route gives at most (its max_results). */
const pageSize = 1000;

interface Loader {
  state: RunEntries;
  listeners: Set<(state: RunEntries) => void>;
}

/**
 * One read per answer: keyed by the answer's own params or tags object, so the runs table's cells of one
 * run share it, and a reloaded answer (a tag edited) starts a new one. Dropped with the answer.
 */
const loaders = new WeakMap<Record<string, string>, Loader>();

const mapOf = (record: Record<string, string>) => new Map(Object.entries(record));

function startLoading(runId: string, list: EntryList, first: Record<string, string>): Loader {
  const loader: Loader = { state: { entries: mapOf(first), complete: false }, listeners: new Set() };
  const publish = (state: RunEntries) => {
    loader.state = state;
    for (const listener of loader.listeners) listener(state);
  };
  void (async () => {
    const entries = new Map(loader.state.entries);
    let token: string | undefined;
    try {
      do {
        const query = { max_results: pageSize, ...(token ? { page_token: token } : {}) };
        const params = { path: { run_id: runId }, query };
        const page =
          list === 'params'
            ? unwrap(await api.GET('/api/v1/runs/{run_id}/params', { params }))
            : unwrap(await api.GET('/api/v1/runs/{run_id}/tags', { params }));
        const values: Record<string, string> = 'params' in page ? page.params : page.tags;
        for (const [key, value] of Object.entries(values)) entries.set(key, value);
        token = page.next_page_token;
        publish({ entries: new Map(entries), complete: token === undefined });
      } while (token !== undefined);
    } catch (failure) {
      publish({ entries, complete: false, error: failure instanceof Error ? failure : new Error(String(failure)) });
    }
  })();
  return loader;
}

/** The whole list: at once when the answer carried it all, else growing page by page. */
export function useRunEntries(
  runId: string,
  list: EntryList,
  first: Record<string, string>,
  truncated: boolean | undefined,
): RunEntries {
  const [state, setState] = useState<RunEntries | undefined>(undefined);
  useEffect(() => {
    setState(undefined);
    if (!truncated) return;
    let loader = loaders.get(first);
    if (!loader) {
      loader = startLoading(runId, list, first);
      loaders.set(first, loader);
    }
    setState(loader.state);
    loader.listeners.add(setState);
    const subscribed = loader;
    return () => subscribed.listeners.delete(setState);
  }, [runId, list, first, truncated]);
  if (!truncated) return { entries: mapOf(first), complete: true };
  return state ?? { entries: mapOf(first), complete: false };
}

/** A list as a record for code that reads records: with no prototype, so a key never meets an inherited name. */
export function recordOf(entries: ReadonlyMap<string, string>): Record<string, string> {
  const record: Record<string, string> = Object.create(null);
  for (const [key, value] of entries) record[key] = value;
  return record;
}
