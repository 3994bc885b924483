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
} from '../domain/rollup.ts';
import {
  type InlineChunk,
  inlineChunkSortKey,
  type RollupVersion,
  rollupVersionNumber,
} from '../storage/metric-repository.ts';
import type { StoredMetricEntry } from '../storage/run-repository.ts';
import type { RequestScope, TrackingDeps } from './deps.ts';

/**
 * Rollups are kept at write time (shared/domain/rollup.ts; docs/data-model.md,
 * "Rollups"). Each key has a sealed frontier `f`: every step below it is
 * summarised in rollup items. After a batch, the writer
 *  - seals the blocks its key has left behind: when the latest step is two
 *    blocks (1,024 steps) past `f`, the raw points of [f, f') are read, their
 *    level-1 items written, the higher levels completed from their children,
 *    and `f` moved to f', on condition that no batch of the key landed
 *    meanwhile (its counter `n` did not move). At most once a second per key,
 *    so readers know which items may be too fresh for an eventually
 *    consistent read;
 *  - re-seals, when its own points fell below `f` (late or out-of-order
 *    steps), the blocks they fell in and every sealed item above them. Items
 *    carry the versions of their inputs and are only replaced by items built
 *    from newer ones, so racing writers converge on the most complete.
 */
type RollupDeps = Pick<TrackingDeps, 'runs' | 'metrics' | 'clock'>;

/** Frontier moves per key: at most one a second. */
export const SEAL_INTERVAL_MS = 1000;
/**
 * Blocks one seal covers at most, so that a seal's reads and writes stay
 * bounded (a key far behind catches up over several seals).
 */
export const MAX_SEAL_BLOCKS = 128;
/**
 * Tries of one seal: it only moves the frontier if no batch landed on the key
 * meanwhile, so under many concurrent writers it gives up early and leaves the
 * work to the next seal instead of redoing it.
 */
const SEAL_ATTEMPTS = 1;
/** Readers use consistent reads while the last move is this recent. */
const FRESH_SEAL_MS = 2000;

/** The first points kept with a key's latest value, as the chunk they stand for. */
export function inlineChunkOf(entry: StoredMetricEntry): InlineChunk | undefined {
  if (!entry.h || !entry.b) return undefined;
  const points = decodeMetricChunk(entry.h);
  return { sk: inlineChunkSortKey(points, entry.b), points };
}

/** After a batch: seal what the key left behind, and re-seal what `lateSteps` (below the frontier) changed. */
export async function maintainRollups(
  scope: RequestScope,
  runId: string,
  key: string,
  located: { entry: StoredMetricEntry; page: number },
  lateSteps: readonly number[],
  deps: RollupDeps,
): Promise<void> {
  if (lateSteps.length > 0) {
    // As of now: every batch counted in `n` has landed, and `w` is as wide as any of their chunks.
    const current = await deps.runs.readMetricEntry(scope.workspace, runId, key, located.page);
    if (current) await resealBlocks(scope, runId, key, current, lateSteps, deps);
  }
  await advanceFrontier(scope, runId, key, located, deps);
}

async function advanceFrontier(
  scope: RequestScope,
  runId: string,
  key: string,
  { entry, page }: { entry: StoredMetricEntry; page: number },
  deps: RollupDeps,
) {
  const now = deps.clock.now();
  const behind = floorDiv(entry.s, ROLLUP_BLOCK_STEPS) * ROLLUP_BLOCK_STEPS - ROLLUP_BLOCK_STEPS;
  const target = Math.max(entry.f, Math.min(behind, entry.f + MAX_SEAL_BLOCKS * ROLLUP_BLOCK_STEPS));
  const dirty = (entry.d?.length ?? 0) > 0;
  if ((target <= entry.f && !dirty) || now - entry.g < SEAL_INTERVAL_MS) return;
  // One writer seals; the others see the fresh seal time and go on.
  if (!(await deps.runs.claimSeal(scope.workspace, runId, key, page, entry.g, now))) return;
  for (let attempt = 1; attempt <= SEAL_ATTEMPTS; attempt++) {
    // The counter as of now: every batch counted in it has landed, and the read below sees its points.
    const current = await deps.runs.readMetricEntry(scope.workspace, runId, key, page);
    if (!current || current.f !== entry.f) return;
    if (!(await sealBlocks(scope, runId, key, current, target, page, deps))) continue;
    if (await deps.runs.advanceFrontier(scope.workspace, runId, key, page, current, target, deps.clock.now())) return;
  }
}

/**
 * Writes the rollup items of the blocks [entry.f, target) and of the dirty
 * blocks below `f`: level 1 from the raw points, the levels above from their
 * children, up to items that end at or below `target`. Writes nothing and
 * answers false when a batch landed on the key while it read.
 */
async function sealBlocks(
  scope: RequestScope,
  runId: string,
  key: string,
  entry: StoredMetricEntry,
  target: number,
  page: number,
  deps: RollupDeps,
): Promise<boolean> {
  const inline = inlineChunkOf(entry);
  const read = (start: number, end: number) =>
    deps.metrics.pointsInRange(scope.workspace, runId, key, {
      start,
      end,
      lookback: entry.w,
      inline,
      consistent: true,
    });
  const dirty = [...new Set(entry.d ?? [])];
  const [fresh, ...late] = await Promise.all([
    read(entry.f, target),
    ...dirty.map((block) => read(block * ROLLUP_BLOCK_STEPS, (block + 1) * ROLLUP_BLOCK_STEPS)),
  ]);
  const built = new Map<string, BuiltItem>();
  const blocks = new Map<number, MetricPoint[]>();
  for (const point of [...(fresh ?? []), ...late.flat()]) {
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
  // part was sealed before), each if it is sealed once `target` is the frontier.
  let current = [...blocks.keys()];
  for (let level = 2; level <= MAX_ROLLUP_LEVEL; level++) {
    const size = rollupSteps(level);
    const candidates = new Set(current.map((index) => floorDiv(index, 2)));
    const straddling = floorDiv(entry.f - 1, size);
    if ((straddling + 1) * size > entry.f) candidates.add(straddling);
    const indexes = [...candidates].filter((index) => (index + 1) * size <= target);
    if (indexes.length === 0 && floorDiv(entry.f, size) > floorDiv(target, size) - 1) break;
    await buildParents(scope, runId, key, level, indexes, built, deps);
    current = indexes.filter((index) => built.has(rollupItemId(level, index)));
  }
  // A batch that landed meanwhile may hold points this read missed: its items would be redone anyway.
  const now = await deps.runs.readMetricEntry(scope.workspace, runId, key, page);
  if (now?.n !== entry.n) return false;
  await Promise.all([...built.values()].map((item) => deps.metrics.putRollup(scope.workspace, runId, key, item)));
  return true;
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

/**
 * Points arrived below the frontier: rebuilds the level-1 items they fell in
 * from their raw points, then each sealed item above, each from its children
 * as stored. A write that loses to a newer one is retried from fresh children
 * unless the stored item already includes everything this one read.
 */
async function resealBlocks(
  scope: RequestScope,
  runId: string,
  key: string,
  entry: StoredMetricEntry,
  lateSteps: readonly number[],
  deps: RollupDeps,
) {
  const blocks = [...new Set(lateSteps.map((step) => floorDiv(step, ROLLUP_BLOCK_STEPS)))];
  await Promise.all(
    blocks.map(async (index) => {
      const start = index * ROLLUP_BLOCK_STEPS;
      const points = await deps.metrics.pointsInRange(scope.workspace, runId, key, {
        start,
        end: start + ROLLUP_BLOCK_STEPS,
        lookback: entry.w,
        inline: inlineChunkOf(entry),
        consistent: true,
      });
      await deps.metrics.putRollup(scope.workspace, runId, key, {
        level: 1,
        index,
        buckets: levelOneBuckets(points, index),
        version: { v: entry.n },
      });
    }),
  );
  let indexes = blocks;
  for (let level = 2; level <= MAX_ROLLUP_LEVEL; level++) {
    const size = rollupSteps(level);
    indexes = [...new Set(indexes.map((index) => floorDiv(index, 2)))].filter((index) => (index + 1) * size <= entry.f);
    if (indexes.length === 0) break;
    await Promise.all(indexes.map((index) => rebuildFromChildren(scope, runId, key, level, index, deps)));
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
  const consistent = deps.clock.now() - entry.g < FRESH_SEAL_MS;
  const inline = inlineChunkOf(entry);
  const source: RollupSource = {
    items: async (wanted) => {
      const items = await deps.metrics.rollupItems(scope.workspace, runId, key, wanted, consistent);
      return new Map([...items].map(([id, item]) => [id, item.buckets]));
    },
    raw: (ranges) =>
      Promise.all(
        ranges.map(({ start, end }) =>
          deps.metrics.pointsInRange(scope.workspace, runId, key, {
            start,
            end,
            lookback: entry.w,
            inline,
            consistent,
          }),
        ),
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
