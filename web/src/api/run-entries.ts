import { useEffect, useMemo, useReducer } from 'preact/hooks';
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
  /** Told when `state` changes. */
  listeners: Set<() => void>;
}

/**
 * One read per answer: keyed by the answer's own params or tags object, so the runs table's cells of one
 * run share it, and a reloaded answer (a tag edited) starts a new one. Dropped with the answer.
 */
const loaders = new WeakMap<Record<string, string>, Loader>();

/**
 * Per run and list, the last whole list read, or the read under way. A live run's page gets a new answer
 * every few seconds: each would otherwise start another read and show its list partial again ("6,643 so
 * far"). While a read is under way, a new answer joins it; after, a new read keeps the last whole list on
 * screen and replaces it when done.
 */
const lastRead = new Map<string, { entries: ReadonlyMap<string, string>; underWay?: Loader }>();
const lastReadKept = 50;

const mapOf = (record: Record<string, string>) => new Map(Object.entries(record));

function startLoading(runId: string, list: EntryList, first: Record<string, string>): Loader {
  const name = `${runId}\n${list}`;
  const before = lastRead.get(name);
  if (before?.underWay) return before.underWay;
  const refreshing = before !== undefined;
  const loader: Loader = {
    state: { entries: before?.entries ?? mapOf(first), complete: refreshing },
    listeners: new Set(),
  };
  lastRead.delete(name);
  lastRead.set(name, { entries: loader.state.entries, underWay: loader });
  if (lastRead.size > lastReadKept) lastRead.delete(lastRead.keys().next().value as string);
  const publish = (state: RunEntries) => {
    loader.state = state;
    for (const listener of loader.listeners) listener();
  };
  void (async () => {
    const entries = mapOf(first);
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
        if (!refreshing || token === undefined) publish({ entries: new Map(entries), complete: token === undefined });
      } while (token !== undefined);
      lastRead.set(name, { entries });
    } catch (failure) {
      // Nothing kept: the next answer (Retry reloads the run) reads again.
      lastRead.delete(name);
      const error = failure instanceof Error ? failure : new Error(String(failure));
      publish({ entries: loader.state.entries, complete: false, error });
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
  const whole = useMemo(() => ({ entries: mapOf(first), complete: true }), [first]);
  const [, rerender] = useReducer((n: number) => n + 1, 0);
  useEffect(() => {
    if (!truncated) return;
    let loader = loaders.get(first);
    if (!loader) {
      loader = startLoading(runId, list, first);
      loaders.set(first, loader);
    }
    const subscribed = loader;
    const listener = () => rerender(undefined);
    subscribed.listeners.add(listener);
    listener();
    return () => subscribed.listeners.delete(listener);
  }, [runId, list, first, truncated]);
  if (!truncated) return whole;
  // Before the effect has run for a new answer: what the read under way, or the last whole one, shows.
  const read = lastRead.get(`${runId}\n${list}`);
  return (
    loaders.get(first)?.state ??
    read?.underWay?.state ??
    (read ? { entries: read.entries, complete: true } : { entries: whole.entries, complete: false })
  );
}

/**
 * The whole list, read once with the runs table's cells (the same read per answer, and the same last
 * whole list): for what needs every key at once, such as the column picker.
 */
export function readRunEntries(
  runId: string,
  list: EntryList,
  first: Record<string, string>,
): Promise<ReadonlyMap<string, string>> {
  let loader = loaders.get(first);
  if (!loader) {
    loader = startLoading(runId, list, first);
    loaders.set(first, loader);
  }
  const subscribed = loader;
  return new Promise((resolve, reject) => {
    const settle = () => {
      const { state } = subscribed;
      if (!state.error && !state.complete) return;
      subscribed.listeners.delete(settle);
      if (state.error) reject(state.error);
      else resolve(state.entries);
    };
    subscribed.listeners.add(settle);
    settle();
  });
}

/** A list as a record for code that reads records: with no prototype, so a key never meets an inherited name. */
export function recordOf(entries: ReadonlyMap<string, string>): Record<string, string> {
  const record: Record<string, string> = Object.create(null);
  for (const [key, value] of entries) record[key] = value;
  return record;
}
