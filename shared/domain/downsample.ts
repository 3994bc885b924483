import type { MetricPoint } from './metric-chunk.ts';
import {
  type BucketSummary,
  bucketSteps,
  type RollupBuckets,
  floorDiv,
  LEVEL_ONE_BUCKET_STEPS,
  mergeSummaries,
  ROLLUP_BLOCK_STEPS,
  rollupSteps,
  summarize,
} from './rollup.ts';

/**
 * Downsampling for charts (`max_points=N`), answered from rollups.
 *
 * The semantics, which `test/unit/downsample.test.ts` checks against a
 * brute-force reference over arbitrary histories:
 *  - the step range is clamped to the steps the key has; if it then holds at
 *    most N points, they are returned exactly;
 *  - otherwise the range is cut into aligned buckets of W steps, W the smallest
 *    power of two giving at most ⌊(N−2)/2⌋ buckets, and each non-empty bucket
 *    gives its smallest and its largest point (NaN never wins; ties keep the
 *    earlier point), plus the range's first and last points: at most N points,
 *    in step order. With N < 6 the whole range is one bucket (its smallest and
 *    largest points, when N ≥ 4, and its first and last).
 *
 * Aligned power-of-two buckets are unions of rollup buckets, so the answer is
 * assembled from O(N) summaries (`planPieces`), plus the raw points of the
 * edges that no sealed summary covers.
 */

/**
 * Buckets a downsampled answer may have with `maxPoints` points: two per bucket,
 * plus the first and last. Never under two, because aligned buckets cannot put a
 * range that crosses step 0 into one; with fewer than six points the buckets are
 * merged into one (`selectPoints`).
 */
export const bucketBudget = (maxPoints: number) => Math.max(2, Math.floor((maxPoints - 2) / 2));

/** The bucket width for the steps first..last (inclusive): a power of two. */
export function bucketWidth(first: number, last: number, maxPoints: number): number {
  const budget = bucketBudget(maxPoints);
  let width = 1;
  while (floorDiv(last, width) - floorDiv(first, width) + 1 > budget) width *= 2;
  return width;
}

/** Part of a step range: one rollup bucket, or raw points to read. */
export type Piece =
  { kind: 'summary'; level: number; start: number } | { kind: 'raw'; start: number; end: number /* exclusive */ };

/**
 * Cuts [start, end) into aligned rollup buckets no wider than `width`, taking
 * the widest available, and raw ranges where none is: at unaligned edges (under
 * 16 steps each), at or above the sealed frontier (rollup items exist only
 * for blocks that end at or below it; `undefined` means none does), and over
 * `dirty` level-1 blocks (512 steps each, by index), whose late points no
 * rollup item holds yet, nor any item above them.
 */
export function planPieces(
  start: number,
  end: number,
  width: number,
  frontier: number | undefined,
  dirty: readonly number[] = [],
): Piece[] {
  const isClean = (level: number, index: number) =>
    dirty.length === 0 || !dirty.some((block) => floorDiv(block * ROLLUP_BLOCK_STEPS, rollupSteps(level)) === index);
  const pieces: Piece[] = [];
  const raw = (from: number, to: number) => {
    const last = pieces[pieces.length - 1];
    if (last?.kind === 'raw' && last.end === from) last.end = to;
    else pieces.push({ kind: 'raw', start: from, end: to });
  };
  const widest = Math.floor(Math.log2(width));
  let position = start;
  while (position < end) {
    if (frontier === undefined || position >= frontier) {
      raw(position, end);
      break;
    }
    let placed = false;
    for (let exponent = widest; exponent >= 4; exponent--) {
      const size = 2 ** exponent;
      if (position % size !== 0 || position + size > end) continue;
      const level = exponent - 3;
      const itemSize = rollupSteps(level);
      if ((floorDiv(position, itemSize) + 1) * itemSize > frontier) continue;
      if (!isClean(level, floorDiv(position, itemSize))) continue;
      pieces.push({ kind: 'summary', level, start: position });
      position += size;
      placed = true;
      break;
    }
    if (placed) continue;
    const next = Math.min(end, (floorDiv(position, LEVEL_ONE_BUCKET_STEPS) + 1) * LEVEL_ONE_BUCKET_STEPS);
    raw(position, next);
    position = next;
  }
  return pieces;
}

/** What a piece turned out to hold: a summary (absent when the bucket is empty) or raw points in history order. */
export type PieceContent = { start: number; summary: BucketSummary | undefined } | { points: readonly MetricPoint[] };

/** Per-bucket summaries of the pieces' contents, in bucket order. */
export function bucketSummaries(contents: readonly PieceContent[], width: number): BucketSummary[] {
  const buckets = new Map<number, BucketSummary>();
  const add = (bucket: number, summary: BucketSummary) => {
    const existing = buckets.get(bucket);
    buckets.set(bucket, existing ? mergeSummaries(existing, summary) : summary);
  };
  for (const content of contents) {
    if ('summary' in content) {
      if (content.summary) add(floorDiv(content.start, width), content.summary);
      continue;
    }
    for (const point of content.points) add(floorDiv(point.step, width), summarize([point]));
  }
  return [...buckets].sort(([a], [b]) => a - b).map(([, summary]) => summary);
}

/** The points a downsampled answer shows for these buckets (see the module comment). */
export function selectPoints(buckets: readonly BucketSummary[], maxPoints: number): MetricPoint[] {
  const first = buckets[0];
  const last = buckets[buckets.length - 1];
  if (!first || !last) return [];
  const chosen = [first.first, last.last];
  const shown = maxPoints < 6 ? [buckets.reduce((all, bucket) => mergeSummaries(all, bucket))] : buckets;
  if (maxPoints >= 4) for (const bucket of shown) chosen.push(bucket.min, bucket.max);
  return orderedDistinct(chosen);
}

const valueBits = new DataView(new ArrayBuffer(8));
const bitsOf = (value: number) => {
  valueBits.setFloat64(0, value);
  return valueBits.getBigUint64(0);
};

const comparePoints = (a: MetricPoint, b: MetricPoint) => {
  const order = a.step - b.step || a.timestamp - b.timestamp;
  if (order !== 0) return order;
  const [x, y] = [bitsOf(a.value), bitsOf(b.value)];
  return x < y ? -1 : x > y ? 1 : 0;
};

/** Points in step, then timestamp order, each (step, timestamp, value) once. */
export function orderedDistinct(points: readonly MetricPoint[]): MetricPoint[] {
  const sorted = [...points].sort(comparePoints);
  return sorted.filter((point, i) => i === 0 || comparePoints(sorted[i - 1] as MetricPoint, point) !== 0);
}

/** Where a downsampled answer reads from: sealed rollup items and raw points (the storage layer, or a test's memory). */
export interface RollupSource {
  /** Rollup items by level and index; an absent item holds no points. Keyed `${level}:${index}`. */
  items(wanted: ReadonlyArray<{ level: number; index: number }>): Promise<Map<string, RollupBuckets>>;
  /** For each [start, end) range, the points whose step lies in it, in history order. */
  raw(ranges: ReadonlyArray<{ start: number; end: number }>): Promise<MetricPoint[][]>;
}

export interface DownsampleQuery {
  /** The first and last step of the range, already clamped to the key's steps. */
  first: number;
  last: number;
  /** Steps below the sealed frontier have rollup items; undefined: none do. */
  frontier: number | undefined;
  /** Level-1 blocks below the frontier with late points not yet in their rollups. */
  dirty?: readonly number[] | undefined;
  maxPoints: number;
}

export const rollupItemId = (level: number, index: number) => `${level}:${index}`;

/**
 * The downsampled answer for a range, from O(maxPoints) rollup buckets and the
 * raw points of the unsealed edges. `count` is the number of points in the range.
 */
export async function downsampleFromRollups(
  source: RollupSource,
  query: DownsampleQuery,
): Promise<{ points: MetricPoint[]; count: number; exact: boolean }> {
  if (query.first > query.last) return { points: [], count: 0, exact: true };
  const width = bucketWidth(query.first, query.last, query.maxPoints);
  const pieces = planPieces(query.first, query.last + 1, width, query.frontier, query.dirty);
  const wanted = new Map<string, { level: number; index: number }>();
  const ranges: Array<{ start: number; end: number }> = [];
  for (const piece of pieces) {
    if (piece.kind === 'raw') {
      ranges.push(piece);
      continue;
    }
    const index = floorDiv(piece.start, rollupSteps(piece.level));
    wanted.set(rollupItemId(piece.level, index), { level: piece.level, index });
  }
  const [items, rawPoints] = await Promise.all([source.items([...wanted.values()]), source.raw(ranges)]);
  let rawIndex = 0;
  const contents: PieceContent[] = pieces.map((piece) => {
    if (piece.kind === 'raw') return { points: rawPoints[rawIndex++] ?? [] };
    const itemSize = rollupSteps(piece.level);
    const index = floorDiv(piece.start, itemSize);
    const offset = (piece.start - index * itemSize) / bucketSteps(piece.level);
    return { start: piece.start, summary: items.get(rollupItemId(piece.level, index))?.get(offset) };
  });
  const buckets = bucketSummaries(contents, width);
  const count = buckets.reduce((sum, bucket) => sum + bucket.count, 0);
  if (count > query.maxPoints) return { points: selectPoints(buckets, query.maxPoints), count, exact: false };
  const allRaw = pieces.every((piece) => piece.kind === 'raw');
  const points = allRaw
    ? rawPoints.flat()
    : ((await source.raw([{ start: query.first, end: query.last + 1 }]))[0] ?? []);
  return { points, count, exact: true };
}
export function downsampleMinMax(points: readonly MetricPoint[], maxPoints: number): MetricPoint[] {
  if (points.length <= maxPoints) return [...points];
  const bucketCount = Math.max(1, Math.floor(maxPoints / 2));
  const out: MetricPoint[] = [];
  for (let b = 0; b < bucketCount; b++) {
    const start = Math.floor((b * points.length) / bucketCount);
    const end = Math.floor(((b + 1) * points.length) / bucketCount);
    let minIndex = -1;
    let maxIndex = -1;
    for (let i = start; i < end; i++) {
      const value = (points[i] as MetricPoint).value;
      if (Number.isNaN(value)) continue;
      if (minIndex < 0 || value < (points[minIndex] as MetricPoint).value) minIndex = i;
      if (maxIndex < 0 || value > (points[maxIndex] as MetricPoint).value) maxIndex = i;
    }
    if (minIndex < 0) {
      out.push(points[start] as MetricPoint);
      continue;
    }
    const [first, second] = minIndex <= maxIndex ? [minIndex, maxIndex] : [maxIndex, minIndex];
    out.push(points[first] as MetricPoint);
    if (second !== first) out.push(points[second] as MetricPoint);
  }
  return out;
}
