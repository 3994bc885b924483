import { downsampleFromRollups, type RollupSource, rollupItemId } from '../domain/downsample.ts';
import { decodeMetricChunk, type MetricPoint } from '../domain/metric-chunk.ts';
import {
  floorDiv,
  levelOneBuckets,
  MAX_ROLLUP_LEVEL,
  parentBuckets,
  ROLLUP_BLOCK_STEPS,
  type RollupBuckets,
  rollupSteps,
  decodeRecentSeals,
  type RecentSeals,
  sealableFrontier,
} from '../domain/rollup.ts';
import {
  type InlineChunk,
  inlineChunkSortKey,
  type RollupVersion,
  rollupVersionNumber,
} from '../storage/metric-repository.ts';
import type { StoredMetricEntry } from '../storage/run-repository.ts';
import { atMost } from '../at-most.ts';
import type { RequestScope, TrackingDeps } from './deps.ts';

/**
 * Rollups are kept at write time (shared/domain/rollup.ts; docs/data-model.md,
 * "Rollups"). Each key has a sealed frontier `f`: every step below it is
 * summarised in rollup items, except the dirty blocks `d` (late points their
 * items do not hold yet; readers read those raw).
 *  - Sealing: after a batch, once the key's latest step is two blocks (1,024
 *    steps) past `f`, one writer claims the seal (it sets the seal time `g` to
 *    the end of its lease; the next claim comes at once while two blocks or
 *    more can be sealed, a second after the last seal for one, or once a
 *    lease ran out), which also clears the low-water mark `m`; it
 *    reads the raw points of [f, target) and of the dirty blocks, writes
 *    their level-1 items, completes the levels above from their children and
 *    moves `f` up to `target`, but no higher than the block of the lowest step
 *    any batch recorded since the claim (`m`): such a batch's points may be
 *    missing from what was read, the blocks below it cannot. So concurrent
 *    writers near the top no longer stop the frontier; only a batch recorded
 *    below `f` during the seal does (it may have marked blocks dirty).
 *  - Right after a burst: batches recorded during a seal leave the sealing to
 *    it, so its writer seals again while they left two blocks or more (for a
 *    second at most; the batches recorded during its last seal wait for it and
 *    go on themselves): once writers stop, under three blocks stay raw.
 *  - Readers read the items of the seals of the last moments consistently
 *    (`r`, `consistentFrom`), every other item and every raw point eventually.
 *  - When a run ends, every key two blocks or more behind is sealed up to its
 *    last complete block (a few bounded seals each), so a finished run's chart
 *    reads summaries and under 1,024 raw points.
 *  - Late points (below `f` when their batch is recorded, which is
 *    conditional on `f`): their blocks are marked dirty for the next seal,
 *    which rebuilds them and every sealed item above them. A writer never
 *    re-seals late blocks itself: a seal in progress may be building the items
 *    above them from children read before, and only the dirty list (or `m`,
 *    which the batch lowered) stops that seal from counting its items whole.
 *    Items carry the versions of their inputs and are only replaced by items
 *    built from newer ones, so a seal that outlived its lease and the one that
 *    took it over converge on the most complete.
 * Every seal is bounded: at most MAX_SEAL_BLOCKS blocks, a few reads and
 * writes per level.
 */
type RollupDeps = Pick<TrackingDeps, 'runs' | 'metrics' | 'clock'>;

/** Seals per key: the next may be claimed this long after the last one ended (moved `f` or gave up). */
export const SEAL_INTERVAL_MS = 1000;
/**
 * A claim holds the seal this long (its `g` is set this far ahead): a seal
 * slower than the interval is not taken over, one whose writer died is.
 */
export const SEAL_LEASE_MS = 10_000;
/**
 * Blocks one seal covers at most, so that a seal's reads and writes stay
 * bounded (a key far behind catches up over several seals).
 */
export const MAX_SEAL_BLOCKS = 128;
/**
 * A key whose writing target is this many blocks past `f` is sealed at once,
 * without waiting for the interval: the raw tail a reader reads above the
 * frontier stays under three blocks, however fast the key is written.
 */
export const EAGER_SEAL_BLOCKS = 2;
/**
 * A writer seals again while batches recorded during its seal (they left the
 * sealing to it) left EAGER_SEAL_BLOCKS or more, for this long at most: its
 * last seal in a row says so in its claim, and the batches recorded during
 * that one wait for its end and go on themselves. So the end of a burst is
 * always sealed, by whoever held the last seal or by the batches that came
 * during it, even when no batch follows.
 */
export const SEALING_IN_A_ROW_MS = 1000;
/** How often a batch waiting for the end of a sealer's last seal looks again. */
const WAIT_FOR_SEAL_MS = 50;
/** Seals of one key when its run ends: a key that lags further catches up as writes or later ends seal it. */
export const RUN_END_SEAL_ROUNDS = 4;
/** Readers read the items of the seals that ended this recently consistently (see `r` on StoredMetricEntry). */
export const FRESH_SEAL_MS = 2000;

/**
 * Storage calls one seal or read makes at once: a seal writes up to a
 * few hundred items, and unbounded they would queue past the client's
 * connection timeout (50 sockets) and fail as an outage.
 */
const CALLS_AT_ONCE = 8;
/** Keys one batch maintains at once (a batch over many keys may seal them all). */
export const KEYS_SEALED_AT_ONCE = 4;

/** The first points kept with a key's latest value, as the chunk they stand for. */
export function inlineChunkOf(entry: StoredMetricEntry): InlineChunk | undefined {
  if (!entry.h || !entry.b) return undefined;
  const points = decodeMetricChunk(entry.h);
  return { sk: inlineChunkSortKey(points, entry.b), points };
}

/** Where a seal may take the frontier while the run is written: two blocks behind the latest step. */
const writingTarget = (entry: StoredMetricEntry) =>
  boundedTarget(entry, floorDiv(entry.s, ROLLUP_BLOCK_STEPS) * ROLLUP_BLOCK_STEPS - ROLLUP_BLOCK_STEPS);

/** Where it may take it once the run ended: past every complete block. */
const endedTarget = (entry: StoredMetricEntry) =>
  boundedTarget(entry, floorDiv(entry.s + 1, ROLLUP_BLOCK_STEPS) * ROLLUP_BLOCK_STEPS);

const boundedTarget = (entry: StoredMetricEntry, wanted: number) =>
  Math.max(entry.f, Math.min(wanted, entry.f + MAX_SEAL_BLOCKS * ROLLUP_BLOCK_STEPS));

const hasWork = (entry: StoredMetricEntry, target: number) => target > entry.f || (entry.d?.length ?? 0) > 0;

/**
 * Worth a seal when the run ends: dirty blocks, or two complete blocks or more
 * past the frontier (less is under 1,024 raw points for a reader: a key
 * written slowly, or sealed by its writers, costs the end of its run nothing).
 */
const lagsAtEnd = (entry: StoredMetricEntry) =>
  (entry.d?.length ?? 0) > 0 || endedTarget(entry) - entry.f >= 2 * ROLLUP_BLOCK_STEPS;

/** After a batch: seal what the key left behind (its new blocks, and the dirty ones). */
export async function maintainRollups(
  scope: RequestScope,
  runId: string,
  key: string,
  located: { entry: StoredMetricEntry; page: number },
  deps: RollupDeps,
): Promise<void> {
  const { page } = located;
  let entry = located.entry;
  const started = deps.clock.now();
  for (let round = 0; ; round++) {
    if (isLastInARow(entry.g, deps.clock.now())) {
      // Its sealer will not come back for what this batch left: wait for that seal to end, then go on.
      const ended = await sealEnded(scope, runId, key, page, deps);
      if (!ended) return;
      entry = ended;
    }
    const target = writingTarget(entry);
    // Two blocks or more to seal (or another round): at once; less waits for the interval.
    const eager = round > 0 || target - entry.f >= EAGER_SEAL_BLOCKS * ROLLUP_BLOCK_STEPS;
    if (!hasWork(entry, target) || deps.clock.now() - entry.g < (eager ? 0 : SEAL_INTERVAL_MS)) return;
    const last = deps.clock.now() - started >= SEALING_IN_A_ROW_MS;
    const sealed = await seal(scope, runId, key, page, entry.g, writingTarget, deps, last);
    // Batches recorded during the seal left the sealing to it: seal again while they left two blocks or more.
    if (last || !sealed?.after || sealed.after.n === sealed.claimed.n) return;
    const current = sealed.after;
    const left = writingTarget(current) - current.f >= EAGER_SEAL_BLOCKS * ROLLUP_BLOCK_STEPS;
    if (!left && (current.d?.length ?? 0) === 0) return;
    entry = current;
  }
}

/**
 * A claim's seal time: the end of its lease, odd when the seal is its sealer's
 * last in a row (the batches recorded during it read `g` as they record
 * themselves, at no cost: no other attribute is returned to them).
 */
const leaseEnd = (now: number, last: boolean) => {
  const end = now + SEAL_LEASE_MS;
  return Math.abs(end % 2) === (last ? 1 : 0) ? end : end + 1;
};

const isLastInARow = (sealTime: number, now: number) => sealTime > now && Math.abs(sealTime % 2) === 1;

/**
 * Waits until the seal in progress ended (at most a lease long); the entry
 * then, undefined if it is gone.
 */
async function sealEnded(scope: RequestScope, runId: string, key: string, page: number, deps: RollupDeps) {
  let entry: StoredMetricEntry | undefined;
  for (let waited = 0; waited < SEAL_LEASE_MS; waited += WAIT_FOR_SEAL_MS) {
    await new Promise((resolve) => setTimeout(resolve, WAIT_FOR_SEAL_MS));
    entry = await deps.runs.readMetricEntry(scope.workspace, runId, key, page);
    if (!entry || entry.g <= deps.clock.now()) break;
  }
  return entry;
}

/**
 * When a run ends: seals each key that lags (`lagsAtEnd`) up to its last
 * complete block, in at most RUN_END_SEAL_ROUNDS seals a key,
 * KEYS_SEALED_AT_ONCE keys at a time. A seal in progress is taken over
 * (its frontier move then fails).
 */
export async function sealAtRunEnd(scope: RequestScope, runId: string, deps: RollupDeps): Promise<void> {
  const state = await deps.runs.readState(scope.workspace, runId, { metricPages: true });
  const lagging = [...(state?.metrics.entries ?? [])].filter(([, { value }]) => lagsAtEnd(value));
  await atMost(KEYS_SEALED_AT_ONCE, lagging, async ([key, { value, page }]) => {
    let entry: StoredMetricEntry | undefined = value;
    for (let round = 0; round < RUN_END_SEAL_ROUNDS && entry && lagsAtEnd(entry); round++) {
      await seal(scope, runId, key, page, entry.g, endedTarget, deps);
      entry = await deps.runs.readMetricEntry(scope.workspace, runId, key, page);
    }
  });
}

/**
 * One seal of a key: claims it (from seal time `seenSealTime`, for the lease), reads the raw
 * points of [f, target) and of the dirty blocks as of the claim, writes the
 * items of the blocks no batch recorded since the claim reached into, and
 * moves the frontier past them (see the module comment). Returns the entry as
 * the claim left it and as the seal left it (undefined: someone else took the
 * claim over), or undefined when someone else holds the seal.
 */
async function seal(
  scope: RequestScope,
  runId: string,
  key: string,
  page: number,
  seenSealTime: number,
  targetOf: (entry: StoredMetricEntry) => number,
  deps: RollupDeps,
  last = false,
): Promise<{ claimed: StoredMetricEntry; after: StoredMetricEntry | undefined } | undefined> {
  const claimed = await deps.runs.claimSeal(
    scope.workspace,
    runId,
    key,
    page,
    seenSealTime,
    leaseEnd(deps.clock.now(), last),
  );
  if (!claimed) return undefined;
  const moved = await sealClaimed(scope, runId, key, page, claimed, seenSealTime, targetOf(claimed), deps);
  // A seal that moved nothing lets the next one come after the interval rather than after its lease.
  const after = moved ?? (await deps.runs.releaseSeal(scope.workspace, runId, key, page, claimed.g, deps.clock.now()));
  return { claimed, after };
}

/** Windows of wall-clock time, FRESH_SEAL_MS each, by which readers know which seals are recent. */
const windowOf = (time: number) => Math.floor(time / FRESH_SEAL_MS);

/** An entry from before `r`: what its last seals wrote is unknown, every item counts as recent for a while. */
const UNKNOWN: RecentSeals = { last: Number.MIN_SAFE_INTEGER, before: Number.MIN_SAFE_INTEGER };

/**
 * `r` after a seal that ends at `ends` (see StoredMetricEntry). The lowest step
 * whose items it wrote (its old frontier, or its lowest dirty block) joins the
 * window of its end; the window of the seal before it (`lastEnd`, the seal time
 * its claim replaced: that seal ended then or earlier, so its window only ever
 * reads later, and more is kept) becomes the one before, or is dropped when
 * older. A reader fresh enough to care reads both windows, or the last one
 * alone once the clock is past it (`consistentFrom`).
 */
export function recentSeals(
  claimed: StoredMetricEntry,
  lastEnd: number,
  dirty: readonly number[],
  ends: number,
): RecentSeals {
  const ours = Math.min(claimed.f, ...dirty.map((block) => block * ROLLUP_BLOCK_STEPS));
  const known = decodeRecentSeals(claimed.r, claimed.f) ?? UNKNOWN;
  const gap = windowOf(ends) - windowOf(lastEnd);
  if (gap <= 0) return { last: Math.min(known.last, ours), before: known.before };
  if (gap === 1) return { last: ours, before: known.last };
  return { last: ours };
}

/**
 * The lowest step whose rollup items a reader must read consistently now:
 * every item a seal that ended less than FRESH_SEAL_MS ago wrote is at or
 * above it (+Infinity when no seal is that recent).
 */
export function consistentFrom(entry: StoredMetricEntry, now: number): number {
  if (now - entry.g >= FRESH_SEAL_MS) return Number.POSITIVE_INFINITY;
  const recent = decodeRecentSeals(entry.r, entry.f);
  if (!recent) return Number.NEGATIVE_INFINITY;
  // `g` is the last seal's end or later (a release, a claim's lease): its window is that seal's or later.
  if (windowOf(entry.g) < windowOf(now)) return recent.last;
  return Math.min(recent.last, recent.before ?? Number.POSITIVE_INFINITY);
}

/**
 * The work of a claimed seal (the seal before it ended at `lastEnd` or
 * earlier); the entry as it left it when it moved the frontier (or cleared the
 * dirty blocks), else undefined.
 */
async function sealClaimed(
  scope: RequestScope,
  runId: string,
  key: string,
  page: number,
  claimed: StoredMetricEntry,
  lastEnd: number,
  target: number,
  deps: RollupDeps,
): Promise<StoredMetricEntry | undefined> {
  if (!hasWork(claimed, target)) return undefined;
  const inline = inlineChunkOf(claimed);
  const read = (start: number, end: number) =>
    deps.metrics.pointsInRange(scope.workspace, runId, key, {
      start,
      end,
      lookback: claimed.w,
      inline,
      consistent: true,
    });
  const dirty = [...new Set(claimed.d ?? [])];
  const ranges = [
    { start: claimed.f, end: target },
    ...dirty.map((block) => ({ start: block * ROLLUP_BLOCK_STEPS, end: (block + 1) * ROLLUP_BLOCK_STEPS })),
  ];
  const [fresh, ...late] = await atMost(CALLS_AT_ONCE, ranges, ({ start, end }) => read(start, end));
  // Batches recorded while this read: their points may be missing above the block of the lowest of them.
  const now = await deps.runs.readMetricEntry(scope.workspace, runId, key, page);
  if (!now || now.f !== claimed.f || now.g !== claimed.g) return undefined;
  const frontier = sealableFrontier(claimed.f, target, now.m);
  if (frontier === undefined || (frontier === claimed.f && dirty.length === 0)) return undefined;
  const points = [...(fresh ?? []), ...late.flat()].filter((point) => point.step < frontier);
  const built = await buildItems(scope, runId, key, claimed, points, frontier, deps);
  await putBuiltItems(scope, runId, key, built, deps);
  const ends = deps.clock.now();
  return deps.runs.advanceFrontier(
    scope.workspace,
    runId,
    key,
    page,
    { f: claimed.f, g: claimed.g, dirty: dirty.length > 0 },
    frontier,
    { lowWater: now.m },
    ends,
    recentSeals(claimed, lastEnd, dirty, ends),
  );
}

/**
 * The rollup items of `points` (the raw points of [entry.f, frontier) and of
 * the dirty blocks below `f`): level 1 from the points, the levels above from
 * their children, up to items that end at or below `frontier`.
 */
async function buildItems(
  scope: RequestScope,
  runId: string,
  key: string,
  entry: StoredMetricEntry,
  points: readonly MetricPoint[],
  frontier: number,
  deps: RollupDeps,
): Promise<Map<string, BuiltItem>> {
  const built = new Map<string, BuiltItem>();
  const blocks = new Map<number, MetricPoint[]>();
  for (const point of points) {
    const block = floorDiv(point.step, ROLLUP_BLOCK_STEPS);
    blocks.set(block, [...(blocks.get(block) ?? []), point]);
  }
  for (const [index, blockPoints] of blocks) {
    built.set(rollupItemId(1, index), {
      level: 1,
      index,
      buckets: levelOneBuckets(blockPoints, index),
      version: { v: entry.n },
    });
  }
  // Each level: parents of the items just built, and the one item that straddles the old frontier (its lower
  // part was sealed before), each if it is sealed once `frontier` is the frontier.
  let current = [...blocks.keys()];
  for (let level = 2; level <= MAX_ROLLUP_LEVEL; level++) {
    const size = rollupSteps(level);
    const candidates = new Set(current.map((index) => floorDiv(index, 2)));
    const straddling = floorDiv(entry.f - 1, size);
    if ((straddling + 1) * size > entry.f) candidates.add(straddling);
    const indexes = [...candidates].filter((index) => (index + 1) * size <= frontier);
    if (indexes.length === 0 && floorDiv(entry.f, size) > floorDiv(frontier, size) - 1) break;
    await buildParents(scope, runId, key, level, indexes, built, deps);
    current = indexes.filter((index) => built.has(rollupItemId(level, index)));
  }
  return built;
}

/**
 * Puts a seal's items, a level at a time. A put refused because a stored item
 * has a newer input (a sealer that took over a lease this seal outlived put it) leaves
 * ours out: the parent built from ours would then lack that newer input, and
 * its own put could be refused too while the stored parent lacks what this
 * seal read (its versions are newer on one side only). So the parent of a
 * refused item, and any refused parent, is rebuilt from the stored children,
 * which by then hold the newest of both.
 */
async function putBuiltItems(
  scope: RequestScope,
  runId: string,
  key: string,
  built: ReadonlyMap<string, BuiltItem>,
  deps: RollupDeps,
) {
  const levels = [...new Set([...built.values()].map((item) => item.level))].sort((a, b) => a - b);
  let replaced = new Set<string>();
  for (const level of levels) {
    const items = [...built.values()].filter((item) => item.level === level);
    const outcomes = await atMost(CALLS_AT_ONCE, items, async (item) => {
      const childReplaced = [0, 1].some((offset) => replaced.has(rollupItemId(level - 1, 2 * item.index + offset)));
      if (!childReplaced && (await deps.metrics.putRollup(scope.workspace, runId, key, item))) return undefined;
      if (level > 1) await rebuildFromChildren(scope, runId, key, level, item.index, deps);
      return rollupItemId(level, item.index);
    });
    replaced = new Set(outcomes.filter((id): id is string => id !== undefined));
  }
}

interface BuiltItem {
  level: number;
  index: number;
  buckets: RollupBuckets;
  version: RollupVersion;
}

/** Builds level-`level` items from their children: those in `built`, else read (consistently) from the table. */
async function buildParents(
  scope: RequestScope,
  runId: string,
  key: string,
  level: number,
  indexes: readonly number[],
  built: Map<string, BuiltItem>,
  deps: RollupDeps,
) {
  const missing = indexes
    .flatMap((index) => [2 * index, 2 * index + 1])
    .filter((child) => !built.has(rollupItemId(level - 1, child)))
    .map((child) => ({ level: level - 1, index: child }));
  const stored = missing.length
    ? await deps.metrics.rollupItems(scope.workspace, runId, key, missing, true)
    : new Map<string, { buckets: RollupBuckets; version: RollupVersion }>();
  for (const index of indexes) {
    const child = (offset: number) =>
      built.get(rollupItemId(level - 1, 2 * index + offset)) ?? stored.get(rollupItemId(level - 1, 2 * index + offset));
    const [lower, upper] = [child(0), child(1)];
    if (!lower && !upper) continue;
    built.set(rollupItemId(level, index), {
      level,
      index,
      buckets: parentBuckets(lower?.buckets ?? new Map(), upper?.buckets ?? new Map()),
      version: { vl: rollupVersionNumber(lower?.version), vr: rollupVersionNumber(upper?.version) },
    });
  }
}

async function rebuildFromChildren(
  scope: RequestScope,
  runId: string,
  key: string,
  level: number,
  index: number,
  deps: RollupDeps,
) {
  for (let attempt = 1; attempt <= 5; attempt++) {
    const built = new Map<string, BuiltItem>();
    await buildParents(scope, runId, key, level, [index], built, deps);
    const item = built.get(rollupItemId(level, index));
    if (!item || (await deps.metrics.putRollup(scope.workspace, runId, key, item))) return;
    const [stored] = [
      (await deps.metrics.rollupItems(scope.workspace, runId, key, [{ level, index }], true)).get(
        rollupItemId(level, index),
      ),
    ];
    const ours = item.version as { vl: number; vr: number };
    const theirs = stored?.version as { vl: number; vr: number } | undefined;
    if (theirs && theirs.vl >= ours.vl && theirs.vr >= ours.vr) return;
  }
}

/**
 * `max_points` answered from rollups: O(max_points) summaries plus the raw
 * points of the unsealed edges, whatever the history's length (see
 * shared/domain/downsample.ts for what is returned).
 */
export async function downsampledHistory(
  scope: RequestScope,
  runId: string,
  key: string,
  entry: StoredMetricEntry,
  range: { startStep: number | undefined; endStep: number | undefined; maxPoints: number },
  deps: RollupDeps,
): Promise<{ points: MetricPoint[]; downsampled: boolean }> {
  // Items the last seals wrote may not be on every replica yet: those are read consistently for a moment.
  // Older items, and raw points (as in any history read), eventually.
  const freshFrom = consistentFrom(entry, deps.clock.now());
  const inline = inlineChunkOf(entry);
  const source: RollupSource = {
    items: async (wanted) => {
      const recent = wanted.filter(({ level, index }) => (index + 1) * rollupSteps(level) > freshFrom);
      const settled = wanted.filter(({ level, index }) => (index + 1) * rollupSteps(level) <= freshFrom);
      const read = (some: typeof wanted, consistent: boolean) =>
        some.length === 0 ? new Map() : deps.metrics.rollupItems(scope.workspace, runId, key, some, consistent);
      const [fromRecent, fromSettled] = await Promise.all([read(recent, true), read(settled, false)]);
      return new Map([...fromSettled, ...fromRecent].map(([id, item]) => [id, item.buckets]));
    },
    raw: (ranges) =>
      atMost(CALLS_AT_ONCE, ranges, ({ start, end }) =>
        deps.metrics.pointsInRange(scope.workspace, runId, key, {
          start,
          end,
          lookback: entry.w,
          inline,
          consistent: false,
        }),
      ),
  };
  const answer = await downsampleFromRollups(source, {
    first: Math.max(range.startStep ?? Number.MIN_SAFE_INTEGER, entry.l),
    last: Math.min(range.endStep ?? Number.MAX_SAFE_INTEGER, entry.s),
    frontier: entry.f,
    dirty: entry.d,
    maxPoints: range.maxPoints,
  });
  return { points: answer.points, downsampled: !answer.exact };
}
