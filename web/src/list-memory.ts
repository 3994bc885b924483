import { arrivedByHistory } from './router.ts';

/** What a list page had loaded when it was left: its rows, the next page's token, where it was scrolled. */
export interface ListMemory<T> {
  /** The view it is for (filter, order, …): another view never gets these rows. */
  key: string;
  items: readonly T[];
  nextToken: string | undefined;
  scrollTop: number;
}

/** The last list of each page (experiments, runs): at most one each, so memory stays bounded. */
const memories = new Map<string, ListMemory<unknown>>();

/**
 * Back from a run to its experiment's runs, or from an experiment to the
 * list, returns to the same rows at the same place, as a browser does for
 * pages it kept: without this the list was read again from its first page
 * and scrolled to the top, losing the user's place among thousands of runs.
 * Only on Back/Forward; a link, a reload or another view reads afresh.
 */
export function recallList<T>(page: string, key: string): ListMemory<T> | undefined {
  if (!arrivedByHistory()) return undefined;
  const memory = memories.get(page);
  return memory?.key === key ? (memory as ListMemory<T>) : undefined;
}

export function rememberList<T>(page: string, memory: ListMemory<T>): void {
  memories.set(page, memory);
}
