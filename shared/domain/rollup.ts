import type { MetricPoint } from './metric-chunk.ts';

/**
 * Multi-resolution summaries of one metric key's history, kept at write time so
 * that a chart of any length reads O(buckets) items (docs/data-model.md,
 * "Rollups").
 *
 * Steps are cut into aligned buckets. Level 1 buckets span 16 steps; each level
 * doubles the span (level ℓ: 2^(ℓ+3) steps). A rollup item holds the summaries
 * of 32 consecutive buckets of one level, so a level-ℓ item covers 2^(ℓ+8)
 * steps and is the union of two level-(ℓ−1) items. A bucket summary keeps the
 * count, the sum, and the first, last, smallest and largest point, so any
 * union of buckets can be summarised from its parts without the points.
 *
 * Points are in history order (step, then timestamp, then write order). In a
 * summary NaN never wins a comparison; a bucket holding only NaN has its first
 * point as minimum and maximum. Ties keep the earlier point.
 */
export const LEVEL_ONE_BUCKET_STEPS = 16;
export const BUCKETS_PER_ROLLUP = 32;
/** Level-1 items span 512 steps; the sealed frontier is always a multiple of it. */
export const ROLLUP_BLOCK_STEPS = LEVEL_ONE_BUCKET_STEPS * BUCKETS_PER_ROLLUP;
/** 2^(50+8) steps covers every pair of safe-integer steps. */
export const MAX_ROLLUP_LEVEL = 50;

export const bucketSteps = (level: number) => 2 ** (level + 3);
export const rollupSteps = (level: number) => 2 ** (level + 8);

/** floor(a / b) for the power-of-two spans used here (exact in float64 for safe integers). */
export const floorDiv = (a: number, b: number) => Math.floor(a / b);

export interface BucketSummary {
  count: number;
  sum: number;
  first: MetricPoint;
  last: MetricPoint;
  min: MetricPoint;
  max: MetricPoint;
}

const beats = (candidate: number, current: number, smaller: boolean) =>
  !Number.isNaN(candidate) && (Number.isNaN(current) || (smaller ? candidate < current : candidate > current));

/** The summary of points given in history order (at least one). */
export function summarize(points: readonly MetricPoint[]): BucketSummary {
  const first = points[0];
  if (!first) throw new RangeError('cannot summarise no points');
  let summary: BucketSummary = { count: 1, sum: first.value, first, last: first, min: first, max: first };
  for (let i = 1; i < points.length; i++) summary = appendPoint(summary, points[i] as MetricPoint);
  return summary;
}

function appendPoint(summary: BucketSummary, point: MetricPoint): BucketSummary {
  return {
    count: summary.count + 1,
    sum: summary.sum + point.value,
    first: summary.first,
    last: point,
    min: beats(point.value, summary.min.value, true) ? point : summary.min,
    max: beats(point.value, summary.max.value, false) ? point : summary.max,
  };
}

/** The summary of `a` followed by `b` (every point of `a` precedes every point of `b`). */
export function mergeSummaries(a: BucketSummary, b: BucketSummary): BucketSummary {
  return {
    count: a.count + b.count,
    sum: a.sum + b.sum,
    first: a.first,
    last: b.last,
    min: beats(b.min.value, a.min.value, true) ? b.min : a.min,
    max: beats(b.max.value, a.max.value, false) ? b.max : a.max,
  };
}

/** The summaries of one rollup item: bucket offset within the item (0..31) → summary, for non-empty buckets. */
export type RollupBuckets = Map<number, BucketSummary>;

/** Level-1 buckets of the points (history order) that fall in the level-1 item `itemIndex`. */
export function levelOneBuckets(points: readonly MetricPoint[], itemIndex: number): RollupBuckets {
  const start = itemIndex * ROLLUP_BLOCK_STEPS;
  const grouped = new Map<number, MetricPoint[]>();
  for (const point of points) {
    const offset = floorDiv(point.step - start, LEVEL_ONE_BUCKET_STEPS);
    if (offset < 0 || offset >= BUCKETS_PER_ROLLUP) continue;
    const group = grouped.get(offset);
    if (group) group.push(point);
    else grouped.set(offset, [point]);
  }
  return new Map([...grouped].sort(([a], [b]) => a - b).map(([offset, group]) => [offset, summarize(group)]));
}

/**
 * A level-(ℓ+1) item from its two children at level ℓ (the lower-step half
 * first): bucket i of the parent is buckets 2i and 2i+1 of the concatenated children.
 */
export function parentBuckets(lower: RollupBuckets, upper: RollupBuckets): RollupBuckets {
  const parent: RollupBuckets = new Map();
  const add = (offset: number, summary: BucketSummary) => {
    const existing = parent.get(offset);
    parent.set(offset, existing ? mergeSummaries(existing, summary) : summary);
  };
  for (const [offset, summary] of [...lower].sort(([a], [b]) => a - b)) add(offset >> 1, summary);
  for (const [offset, summary] of [...upper].sort(([a], [b]) => a - b)) {
    add((offset + BUCKETS_PER_ROLLUP) >> 1, summary);
  }
  return parent;
}

// ----- binary form of a rollup item -----
//
//   u8 version | u8 bucket count | per bucket (ascending offset):
//     u8 offset | varint count | f64 sum | u8 shape | points
//   shape bit 0: min is the first point, bit 1: min is the last point,
//         bit 2: max is the first point, bit 3: max is the last point,
//         bit 4: the bucket holds one point (first = last = min = max)
//   a point: varint step offset from the bucket's first step | zigzag varint
//   timestamp (the first point's absolute, the others' relative to it) | f64 value

const ROLLUP_FORMAT = 1;

class Writer {
  private readonly bytes: number[] = [];
  private readonly view = new DataView(new ArrayBuffer(8));

  u8(value: number) {
    this.bytes.push(value);
  }

  varint(value: number) {
    let rest = BigInt(value);
    while (rest >= 0x80n) {
      this.bytes.push(Number(rest & 0x7fn) | 0x80);
      rest >>= 7n;
    }
    this.bytes.push(Number(rest));
  }

  zigzag(value: number) {
    const big = BigInt(value);
    this.varint(Number(big >= 0n ? big << 1n : (-big << 1n) - 1n));
  }

  f64(value: number) {
    this.view.setFloat64(0, value, true);
    for (let i = 0; i < 8; i++) this.bytes.push(this.view.getUint8(i));
  }

  result() {
    return Uint8Array.from(this.bytes);
  }
}

class Reader {
  private offset = 0;
  private readonly view: DataView;

  constructor(private readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  u8() {
    const value = this.bytes[this.offset++];
    if (value === undefined) throw new RangeError('rollup item truncated');
    return value;
  }

  varint() {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      const byte = this.u8();
      result |= BigInt(byte & 0x7f) << shift;
      if (byte < 0x80) return Number(result);
      shift += 7n;
    }
  }

  zigzag() {
    const raw = BigInt(this.varint());
    return Number(raw & 1n ? -((raw + 1n) >> 1n) : raw >> 1n);
  }

  f64() {
    if (this.offset + 8 > this.bytes.length) throw new RangeError('rollup item truncated');
    const value = this.view.getFloat64(this.offset, true);
    this.offset += 8;
    return value;
  }
}

const samePoint = (a: MetricPoint, b: MetricPoint) =>
  a === b || (a.step === b.step && a.timestamp === b.timestamp && Object.is(a.value, b.value));

/** Packs one item's buckets; `level` fixes where each bucket starts. */
export function encodeRollup(level: number, itemIndex: number, buckets: RollupBuckets): Uint8Array {
  const writer = new Writer();
  const width = bucketSteps(level);
  const itemStart = itemIndex * rollupSteps(level);
  const entries = [...buckets].sort(([a], [b]) => a - b);
  writer.u8(ROLLUP_FORMAT);
  writer.u8(entries.length);
  for (const [offset, summary] of entries) {
    const bucketStart = itemStart + offset * width;
    writer.u8(offset);
    writer.varint(summary.count);
    writer.f64(summary.sum);
    const single = summary.count === 1;
    const shape =
      (samePoint(summary.min, summary.first) ? 1 : 0) |
      (samePoint(summary.min, summary.last) ? 2 : 0) |
      (samePoint(summary.max, summary.first) ? 4 : 0) |
      (samePoint(summary.max, summary.last) ? 8 : 0) |
      (single ? 16 : 0);
    writer.u8(shape);
    const base = summary.first.timestamp;
    const point = (p: MetricPoint, absolute: boolean) => {
      writer.varint(p.step - bucketStart);
      writer.zigzag(absolute ? p.timestamp : p.timestamp - base);
      writer.f64(p.value);
    };
    point(summary.first, true);
    if (single) continue;
    point(summary.last, false);
    if (!(shape & 3)) point(summary.min, false);
    if (!(shape & 12)) point(summary.max, false);
  }
  return writer.result();
}

export function decodeRollup(level: number, itemIndex: number, bytes: Uint8Array): RollupBuckets {
  const reader = new Reader(bytes);
  const version = reader.u8();
  if (version !== ROLLUP_FORMAT) throw new RangeError(`unknown rollup item version ${version}`);
  const width = bucketSteps(level);
  const itemStart = itemIndex * rollupSteps(level);
  const buckets: RollupBuckets = new Map();
  const count = reader.u8();
  for (let i = 0; i < count; i++) {
    const offset = reader.u8();
    const bucketStart = itemStart + offset * width;
    const pointCount = reader.varint();
    const sum = reader.f64();
    const shape = reader.u8();
    let base = 0;
    const point = (absolute: boolean): MetricPoint => {
      const step = bucketStart + reader.varint();
      const stamp = reader.zigzag();
      const timestamp = absolute ? stamp : base + stamp;
      return { step, timestamp, value: reader.f64() };
    };
    const first = point(true);
    base = first.timestamp;
    if (shape & 16) {
      buckets.set(offset, { count: pointCount, sum, first, last: first, min: first, max: first });
      continue;
    }
    const last = point(false);
    const min = shape & 1 ? first : shape & 2 ? last : point(false);
    const max = shape & 4 ? first : shape & 8 ? last : point(false);
    buckets.set(offset, { count: pointCount, sum, first, last, min, max });
  }
  return buckets;
}

/**
 * How far a seal claimed at frontier `from` may move it: to `target`, or to the
 * start of the block holding `lowWater` (the lowest step recorded since the
 * claim) when that is lower. Undefined when a batch was recorded below `from`:
 * it may have marked blocks dirty or written into those being rebuilt.
 */
export function sealableFrontier(from: number, target: number, lowWater: number | undefined): number | undefined {
  if (lowWater === undefined || lowWater >= target) return target;
  if (lowWater < from) return undefined;
  return Math.max(from, floorDiv(lowWater, ROLLUP_BLOCK_STEPS) * ROLLUP_BLOCK_STEPS);
}

/**
 * Which rollup items readers must read consistently for a moment: those the
 * seals of the last two windows of wall-clock time wrote (see
 * shared/use-cases/rollups.ts, `consistentFrom`). `last` is the lowest step
 * whose items the seals of the window of the key's last seal wrote, `before`
 * the same for the window before it (absent: none sealed then).
 */
export interface RecentSeals {
  last: number;
  before?: number | undefined;
}

/**
 * Stored on a key's entry as `r`: blocks from each step up to the frontier `f`
 * it was written with (small numbers: a few bytes on an item every batch
 * rewrites). Rounded up, and decoded against `f` as it is later (which only
 * ever comes down between seals), a step only ever reads lower: more items
 * consistently, never fewer.
 */
export function encodeRecentSeals(recent: RecentSeals, frontier: number): number[] {
  const back = (step: number) => Math.max(0, Math.ceil((frontier - step) / ROLLUP_BLOCK_STEPS));
  return recent.before === undefined ? [back(recent.last)] : [back(recent.last), back(recent.before)];
}

export function decodeRecentSeals(stored: readonly number[] | undefined, frontier: number): RecentSeals | undefined {
  const [last, before] = stored ?? [];
  if (last === undefined) return undefined;
  return {
    last: frontier - last * ROLLUP_BLOCK_STEPS,
    ...(before === undefined ? {} : { before: frontier - before * ROLLUP_BLOCK_STEPS }),
  };
}
