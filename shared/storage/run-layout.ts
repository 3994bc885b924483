import { attributeValueSize } from './item-size.ts';

/**
 * Where the entries of a run's bounded maps (tags; the latest values of metric
 * keys) live: on their base item while it has room, else on numbered overflow
 * pages. The budgets keep every item under DynamoDB's 400 KB whatever the
 * documented limits allow at once (200 tags of 8,000 characters, 1,000 metric
 * keys of 250 characters, a 100-component pipeline), and keep the items that
 * every metric batch rewrites small, since a write is billed on the whole item.
 */
export const layoutBudgets = {
  /** Tags on the run item (which is also copied to gsi1 for listings). */
  inlineTags: 16 * 1024,
  /** A tag page: at least 10 tags of the longest kind (≤ 25 KB of UTF-8 each: 3 bytes per UTF-16 unit). */
  tagPage: 256 * 1024,
  /** Params on the values item; later params are items of their own. */
  inlineParams: 8 * 1024,
  /** Latest metric values on the values item. */
  inlineMetrics: 24 * 1024,
  /** A metric page. */
  metricPage: 64 * 1024,
  /**
   * The copy of a run's datasets and outputs on its run item (run-io-copy.ts): one or two datasets as
   * sklearn's autolog logs them (schema and profile included) and their model. Kept small, as every
   * search reads it and every write to the run item (and its gsi1 copy) is billed by its whole size;
   * within a BatchGetItem's 4 KB read unit beside a typical run item.
   */
  ioCopy: 3 * 1024,
} as const;

/** Bytes an entry adds to a map attribute: its name, its value, one byte of overhead. */
export const entryBytes = (key: string, value: unknown) =>
  Buffer.byteLength(key, 'utf8') + attributeValueSize(value) + 1;

/**
 * Room a metric entry may ever take: it is placed by this bound (the value
 * string, numbers and first points vary), so later updates never overflow its item.
 */
export const metricEntryBound = (key: string) => Buffer.byteLength(key, 'utf8') + 200;

export interface Located<V> {
  value: V;
  /** 0: the base item; n ≥ 1: page n. */
  page: number;
}

export interface PagedMap<V> {
  entries: Map<string, Located<V>>;
  /** Pages in use (1..pages). */
  pages: number;
}

/** Bytes each location holds, by the given measure. */
export function locationBytes<V>(map: PagedMap<V>, size: (key: string, value: V) => number): Map<number, number> {
  const bytes = new Map<number, number>();
  for (const [key, { value, page }] of map.entries) bytes.set(page, (bytes.get(page) ?? 0) + size(key, value));
  return bytes;
}

/**
 * Places `additions` (new keys, or keys whose value changed): a key stays where
 * it is if its location keeps within budget, otherwise it moves; new and moved
 * keys go on the base item while it has room, else on the last page with room,
 * else on a new page. Returns the new map and the locations it touched.
 * `maxAddedToExisting` caps the new and moved keys placed on each location
 * that exists already (written by an update, whose expression is bounded;
 * a new page is written whole).
 */
export function placeEntries<V>(
  map: PagedMap<V>,
  additions: ReadonlyMap<string, V>,
  size: (key: string, value: V) => number,
  budgets: { base: number; page: number },
  maxAddedToExisting = Number.POSITIVE_INFINITY,
): { map: PagedMap<V>; touched: Set<number> } {
  const entries = new Map(map.entries);
  const bytes = locationBytes(map, size);
  const touched = new Set<number>();
  const budgetOf = (page: number) => (page === 0 ? budgets.base : budgets.page);
  const homeless: Array<[string, V]> = [];
  for (const [key, value] of additions) {
    const current = entries.get(key);
    if (!current) {
      homeless.push([key, value]);
      continue;
    }
    const after = (bytes.get(current.page) ?? 0) - size(key, current.value) + size(key, value);
    if (after <= budgetOf(current.page)) {
      bytes.set(current.page, after);
      entries.set(key, { value, page: current.page });
      touched.add(current.page);
      continue;
    }
    bytes.set(current.page, (bytes.get(current.page) ?? 0) - size(key, current.value));
    entries.delete(key);
    touched.add(current.page);
    homeless.push([key, value]);
  }
  let pages = map.pages;
  const added = new Map<number, number>();
  const hasRoom = (page: number) => page > map.pages || (added.get(page) ?? 0) < maxAddedToExisting;
  for (const [key, value] of homeless) {
    const needed = size(key, value);
    const candidates = [0, pages].filter((page, i) => i === 0 || page > 0);
    let page = candidates.find(
      (candidate) => (bytes.get(candidate) ?? 0) + needed <= budgetOf(candidate) && hasRoom(candidate),
    );
    if (page === undefined) page = ++pages;
    added.set(page, (added.get(page) ?? 0) + 1);
    bytes.set(page, (bytes.get(page) ?? 0) + needed);
    entries.set(key, { value, page });
    touched.add(page);
  }
  return { map: { entries, pages }, touched };
}

/** The entries of one location, as the plain record stored in its item. */
export function entriesOf<V>(map: PagedMap<V>, page: number): Record<string, V> {
  const record: Record<string, V> = Object.create(null);
  for (const [key, located] of map.entries) if (located.page === page) record[key] = located.value;
  return record;
}
