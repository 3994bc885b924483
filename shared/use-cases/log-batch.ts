import { atMost } from '../at-most.ts';
import { encodeMetricChunk, type MetricPoint } from '../domain/metric-chunk.ts';
import { floorDiv, ROLLUP_BLOCK_STEPS } from '../domain/rollup.ts';
import { decodeSortableNumber, encodeSortableNumber } from '../domain/search/sortable-number.ts';
import type { Run, Tags } from '../domain/types.ts';
import { ConflictError, NotFoundError } from '../errors.ts';
import { digest } from '../ids.ts';
import { limits } from '../limits.ts';
import { metricIndexKey, type PrimaryKey } from '../storage/keys.ts';
import { addMetric } from '../observability/metrics.ts';
import { entryParamDigests, metricIndexItem } from '../storage/run-items.ts';
import { type BatchOfKey, checkTagRoom, type RunState, type StoredMetricEntry } from '../storage/run-repository.ts';
import { storedValue, storedValueNumber } from '../storage/stored-value.ts';
import type { RequestScope, TrackingDeps } from './deps.ts';
import { KEYS_SEALED_AT_ONCE, maintainRollups } from './rollups.ts';

export interface MetricInput {
  key: string;
  value: number;
  step?: number | undefined;
  timestamp?: number | undefined;
}

export interface LogBatchInput {
  params?: Record<string, string> | undefined;
  tags?: Tags | undefined;
  metrics?: readonly MetricInput[] | undefined;
  /** A retried request with the same key adds no points (see docs/data-model.md). */
  idempotencyKey?: string | undefined;
  /**
   * MLflow's dialect: each key's points name themselves, so a request that
   * carries exactly the points of a key that an earlier request carried (a
   * retry, or what MLflow 3's log_model sends again of the run's metrics at its
   * step) adds none of them again, whatever else either request held.
   */
  idempotentPoints?: boolean;
  /**
   * A run that has ended still takes params and metrics, as on MLflow's server
   * (its clients log a test score after the run's `with` block): MLflow's
   * dialect. `/api/v1` refuses them (run.not_running).
   */
  evenIfEnded?: boolean;
}

export interface LogBatchResult {
  /** Metric points accepted, and the metric keys they belong to. */
  accepted: number;
  keys: number;
}

type BatchDeps = Pick<TrackingDeps, 'runs' | 'metrics' | 'metricSlots' | 'clock' | 'newId'>;

/** A new key's first points up to this many are kept with its latest value: no chunk item of their own. */
export const INLINE_POINTS = 4;

/**
 * Logs params, tags and metric points to a run in one request, whole or not at
 * all (MLflow's `log-batch`; also what `logParams`, `logMetrics` and the tag
 * route use). Immutable params, the 200-tag and 1,000-metric-key limits, and a
 * RUNNING run (for params and metrics) are checked on the run as read and made
 * conditions of the one write that applies the request (RunRepository.commit);
 * if the run changed in between, it is read again and checked again. Metric
 * chunks and search index entries go before that write (a refused request
 * removes its chunks again); the latest values of keys the run already had are
 * updated after the chunks landed, then rollups are kept up to date.
 */
export async function logBatch(
  scope: RequestScope,
  runId: string,
  input: LogBatchInput,
  deps: BatchDeps,
): Promise<LogBatchResult> {
  const now = deps.clock.now();
  const series = groupPoints(input.metrics ?? [], now);
  const params = new Map(Object.entries(input.params ?? {}));
  const tags = new Map(Object.entries(input.tags ?? {}));
  const batchId = batchIdsOf(runId, input, series, deps);
  const written: Written = { chunks: new Set<string>(), index: new Map<string, string>(), params: undefined };
  let committed:
    { state: RunState; pages: Map<string, number>; newEntries: Map<string, StoredMetricEntry> } | undefined;
  let lastState: RunState | undefined;
  try {
    await deps.runs.retry(async () => {
      const state = await deps.runs.readState(scope.workspace, runId, {
        tagPages: tags.size > 0,
        metricPages: series.size > 0,
      });
      if (!state) throw new NotFoundError('run', runId);
      lastState = state;
      if ((params.size > 0 || series.size > 0) && !input.evenIfEnded) requireWritable(state.run);
      else requireNotDeleted(state.run);
      checkTagRoom(state, tags.keys());
      const freshParams = await deps.runs.newParams(scope.workspace, runId, state, params);
      const newKeys = [...series.keys()].filter((key) => !state.metrics.entries.has(key));
      const slots = await deps.metricSlots.assign(scope.workspace, state.run.experimentId, newKeys);
      // A key an earlier attempt indexed by an item (it found no slot then) stays so: one entry or the other.
      for (const key of written.index.keys()) slots.delete(key);
      const plan = planMetrics(state, series, batchId, slots);
      if (state.metricKeys + plan.newEntries.size > limits.metricKeysPerRun) {
        throw new ConflictError(
          'run.too_many_metric_keys',
          `a run holds at most ${limits.metricKeysPerRun} metric keys; it has ${state.metricKeys} and this request adds ${plan.newEntries.size}`,
        );
      }
      // Every param the run will have, when all are known: its new index entries carry them.
      const entryParams = state.paramsOverflow
        ? undefined
        : entryParamDigests(new Map([...state.params, ...freshParams]));
      const change = { params: freshParams, tags, newMetrics: plan.newEntries, entryParams };
      // Everything that goes before the commit, in one round trip: metric chunks and index entries beside the
      // tag index entries and the param row. Both settle before a failure is thrown, so that the discard of a
      // refused request sees all it wrote.
      const [ahead, chunks] = await Promise.allSettled([
        deps.runs.indexAhead(scope.workspace, runId, state, change),
        writeAhead(scope, runId, state, plan, batchId, entryParams, written, deps),
      ]);
      if (ahead.status === 'rejected') throw ahead.reason;
      if (chunks.status === 'rejected') throw chunks.reason;
      if (ahead.value === 'stale') return undefined;
      const outcome = await deps.runs.commitIndexed(scope.workspace, runId, state, change);
      if (outcome === 'stale') return undefined;
      committed = { state, pages: outcome.pages, newEntries: plan.newEntries };
      return true;
    });
  } catch (error) {
    if (!committed) await discard(scope, runId, batchId, series, written, lastState, deps);
    throw error;
  }
  if (series.size > 0 && committed) await afterCommit(scope, runId, series, committed, written, deps);
  if (input.metrics?.length) addMetric('PointsIngested', input.metrics.length);
  return { accepted: input.metrics?.length ?? 0, keys: series.size };
}

/**
/**
 * The name of a request's metric items (chunks, inline first points). With an idempotency key it
 * is derived from the key and the points as sent, so that a retry (the same points again)
 * rewrites the same items and adds nothing, while a key reused for other points names other
 * items: those points are added, and the ones the key brought before stay. (Named after the key
 * alone, a reused key silently replaced, or dropped, points already acknowledged.)
 */
export function batchIdOf(
  idempotencyKey: string | undefined,
  metrics: readonly MetricInput[] | undefined,
  newId: () => string,
): string {
  if (!idempotencyKey) return newId();
  const points = (metrics ?? []).map((point) => [
    point.key,
    String(point.value),
    point.step ?? null,
    point.timestamp ?? null,
  ]);
  return digest(JSON.stringify([idempotencyKey, points]));
}

/**
 * The batch id that names each key's chunks (and its first points kept
 * inline): the request's (batchIdOf); or, with `idempotentPoints`, one per
 * key from the key's points (step, value and timestamp, in any order), so
 * their second arrival rewrites the items of the first instead of adding
 * points.
 */
function batchIdsOf(
  runId: string,
  input: LogBatchInput,
  series: ReadonlyMap<string, MetricPoint[]>,
  deps: Pick<BatchDeps, 'newId'>,
): (key: string) => string {
  if (!input.idempotentPoints) {
    const batchId = batchIdOf(input.idempotencyKey, input.metrics, deps.newId);
    return () => batchId;
  }
  const ids = new Map<string, string>();
  for (const [key, points] of series) {
    const identities = points.map((point) => JSON.stringify([point.step, String(point.value), point.timestamp]));
    ids.set(key, digest(`points\n${runId}\n${JSON.stringify(key)}\n${identities.sort().join('\n')}`));
  }
  return (key) => ids.get(key) ?? '';
}

/** A deleted run takes nothing new (tags included) until it is restored. */
export function requireNotDeleted(run: Run) {
  if (run.lifecycleStage === 'deleted') {
    throw new ConflictError('run.deleted', `run '${run.runId}' is deleted; restore it first`, { id: run.runId });
  }
}

/** Params and metrics go only to a RUNNING run that is not deleted. */
export function requireWritable(run: Run) {
  requireNotDeleted(run);
  if (run.status !== 'RUNNING') {
    throw new ConflictError(
      'run.not_running',
      `run '${run.runId}' is ${run.status}; it takes no new params or metrics`,
    );
  }
}

/** Points by key, each with its step (0 when absent) and timestamp (now when absent). */
export function groupPoints(metrics: readonly MetricInput[], now: number): Map<string, MetricPoint[]> {
  const series = new Map<string, MetricPoint[]>();
  for (const metric of metrics) {
    const point = { step: metric.step ?? 0, timestamp: metric.timestamp ?? now, value: metric.value };
    const points = series.get(metric.key);
    if (points) points.push(point);
    else series.set(metric.key, [point]);
  }
  return series;
}

const isNewer = (a: MetricPoint, b: { step: number; timestamp: number }) =>
  a.step > b.step || (a.step === b.step && a.timestamp >= b.timestamp);

const newestOf = (points: readonly MetricPoint[]) =>
  points.reduce((best, point) => (isNewer(point, best) ? point : best));

const stepBounds = (points: readonly MetricPoint[]) => {
  let low = Number.POSITIVE_INFINITY;
  let high = Number.NEGATIVE_INFINITY;
  for (const { step } of points) {
    if (step < low) low = step;
    if (step > high) high = step;
  }
  return { low, high };
};

const sortable = (value: number) => encodeSortableNumber(value);

/**
 * A new key's entry: its latest value, and its first points kept inline when
 * few (no chunk item). The frontier starts at the block of its lowest step.
 */
export function firstEntry(
  points: readonly MetricPoint[],
  batchId: string,
): { entry: StoredMetricEntry; inline: boolean } {
  const newest = newestOf(points);
  const { low, high } = stepBounds(points);
  const inline = points.length <= INLINE_POINTS;
  const sorted = [...points].sort((a, b) => a.step - b.step || a.timestamp - b.timestamp);
  return {
    inline,
    entry: {
      v: storedValue(newest.value),
      s: newest.step,
      t: newest.timestamp,
      l: low,
      w: high - low,
      n: inline ? 0 : 1,
      f: floorDiv(low, ROLLUP_BLOCK_STEPS) * ROLLUP_BLOCK_STEPS,
      g: 0,
      ...(inline ? { h: encodeMetricChunk(sorted), b: batchId } : {}),
    },
  };
}

/** What earlier attempts of a request wrote: chunked keys, index entries (key to sortable value) and their params. */
interface Written {
  chunks: Set<string>;
  index: Map<string, string>;
  /** The hex of the `p` the entries were written with ('' for none); undefined before any. */
  params: string | undefined;
}

interface MetricPlan {
  newEntries: Map<string, StoredMetricEntry>;
  /** Keys whose points go into chunk items. */
  chunked: Map<string, MetricPoint[]>;
  /**
   * Index items this batch's values need (keys whose latest value changes); a
   * key with a metric slot needs none: the write of its value indexes it.
   */
  index: Array<[key: string, value: number]>;
}

function planMetrics(
  state: RunState,
  series: ReadonlyMap<string, MetricPoint[]>,
  batchId: (key: string) => string,
  slots: ReadonlyMap<string, number>,
): MetricPlan {
  const plan: MetricPlan = { newEntries: new Map(), chunked: new Map(), index: [] };
  for (const [key, points] of series) {
    const located = state.metrics.entries.get(key);
    if (!located) {
      const { entry, inline } = firstEntry(points, batchId(key));
      const slot = slots.get(key);
      if (slot !== undefined) entry.x = slot;
      plan.newEntries.set(key, entry);
      if (!inline) plan.chunked.set(key, points);
      if (slot === undefined) plan.index.push([key, storedValueNumber(entry.v)]);
      continue;
    }
    // A retry of the batch that wrote this key's first points inline: they are stored already.
    if (located.value.b === batchId(key)) continue;
    plan.chunked.set(key, points);
    const newest = newestOf(points);
    const stored = located.value;
    if (
      stored.x === undefined &&
      isNewer(newest, { step: stored.s, timestamp: stored.t }) &&
      sortable(newest.value) !== sortable(storedValueNumber(stored.v))
    ) {
      plan.index.push([key, newest.value]);
    }
  }
  return plan;
}

/**
 * What goes before the commit: the step spans of keys whose chunks reach
 * further back than any before (history reads look back by it), then the
 * chunks and index entries, each written once across retries.
 */
async function writeAhead(
  scope: RequestScope,
  runId: string,
  state: RunState,
  plan: MetricPlan,
  batchId: (key: string) => string,
  entryParams: Uint8Array | undefined,
  written: Written,
  deps: BatchDeps,
) {
  const chunks = new Map([...plan.chunked].filter(([key]) => !written.chunks.has(key)));
  // An attempt that read other params than the one before rewrites its entries with them.
  const params = entryParams ? Buffer.from(entryParams).toString('hex') : '';
  const paramsChanged = written.params !== undefined && written.params !== params;
  const index = plan.index.filter(([key, value]) => paramsChanged || written.index.get(key) !== sortable(value));
  // So do entries an earlier attempt wrote for values another request has stored since: they name them now.
  if (paramsChanged) {
    for (const [key, value] of written.index) {
      if (!plan.index.some(([planned]) => planned === key)) index.push([key, decodeSortableNumber(value)]);
    }
  }
  // Every chunked key, written already or not: a batch whose first attempt wrote its chunks as a new key's
  // and lost the key to another batch finds the key's bounds set by the winner, which may not reach its steps.
  const widening = new Map<string, { entry: StoredMetricEntry; page: number }>();
  const bounds = new Map<string, { low: number; span: number }>();
  for (const [key, points] of plan.chunked) {
    const located = state.metrics.entries.get(key);
    const { low, high } = stepBounds(points);
    if (located && (high - low > located.value.w || low < located.value.l)) {
      widening.set(key, { entry: located.value, page: located.page });
      bounds.set(key, { low, span: high - low });
    }
  }
  if (widening.size > 0) await deps.runs.widenBounds(scope.workspace, runId, widening, bounds);
  if (chunks.size === 0 && index.length === 0) return;
  await deps.metrics.writeChunks(scope.workspace, runId, batchId, chunks, {
    experimentId: state.run.experimentId,
    latest: index,
    params: entryParams,
  });
  for (const key of chunks.keys()) written.chunks.add(key);
  for (const [key, value] of index) written.index.set(key, sortable(value));
  if (index.length > 0) written.params = params;
}

/**
 * Keys the run already had: their latest values and batch counters, now that
 * the chunks landed; then the index entries their new values replaced, and the
 * rollups.
 */
async function afterCommit(
  scope: RequestScope,
  runId: string,
  series: ReadonlyMap<string, MetricPoint[]>,
  committed: { state: RunState; pages: Map<string, number>; newEntries: Map<string, StoredMetricEntry> },
  written: Written,
  deps: BatchDeps,
) {
  const existing = new Map<string, { entry: StoredMetricEntry; page: number }>();
  for (const [key, located] of committed.state.metrics.entries) {
    if (series.has(key) && written.chunks.has(key)) existing.set(key, { entry: located.value, page: located.page });
  }
  // Each key's newest and lowest points, and the blocks its points fall in (the record marks those below the
  // frontier dirty).
  const batch = new Map<string, BatchOfKey>();
  for (const key of existing.keys()) {
    const points = series.get(key) ?? [];
    const point = newestOf(points);
    batch.set(key, {
      newest: { value: storedValue(point.value), step: point.step, timestamp: point.timestamp },
      lowest: stepBounds(points).low,
      blocks: [...new Set(points.map((p) => floorDiv(p.step, ROLLUP_BLOCK_STEPS)))],
    });
  }
  const experimentId = committed.state.run.experimentId;
  const updated = await deps.runs.recordBatch(scope.workspace, runId, existing, batch);
  const stale: PrimaryKey[] = [];
  for (const [key, { before, after }] of updated) {
    // A key with a metric slot has no index item: its value's write moved its entry.
    if (before.x !== undefined) continue;
    const now = sortable(storedValueNumber(after.v));
    const was = sortable(storedValueNumber(before.v));
    if (was !== now)
      stale.push(metricIndexItem(scope.workspace, experimentId, runId, key, storedValueNumber(before.v)));
    const ours = written.index.get(key);
    if (ours !== undefined && ours !== now && ours !== was) {
      stale.push(metricIndexItem(scope.workspace, experimentId, runId, key, decodeOurs(series, key)));
    }
  }
  await deps.metrics.deleteItems(stale);

  const maintained: Array<{ key: string; located: { entry: StoredMetricEntry; page: number } }> = [];
  for (const [key, { after, page }] of updated) maintained.push({ key, located: { entry: after, page } });
  for (const [key, entry] of committed.newEntries) {
    if (entry.s - entry.f >= 2 * ROLLUP_BLOCK_STEPS) {
      maintained.push({ key, located: { entry, page: committed.pages.get(key) ?? 0 } });
    }
  }
  await atMost(KEYS_SEALED_AT_ONCE, maintained, ({ key, located }) =>
    maintainRollups(scope, runId, key, located, deps),
  );
}

/** The value this batch indexed for a key: its newest point's. */
const decodeOurs = (series: ReadonlyMap<string, MetricPoint[]>, key: string) => newestOf(series.get(key) ?? []).value;

/**
 * A request refused after its chunks were written (the run changed and no
 * longer takes it): removes them, and the index entries that name values the
 * run does not have, so that nothing of it remains.
 */
async function discard(
  scope: RequestScope,
  runId: string,
  batchId: (key: string) => string,
  series: ReadonlyMap<string, MetricPoint[]>,
  written: Written,
  state: RunState | undefined,
  deps: BatchDeps,
) {
  const keys: PrimaryKey[] = [...written.chunks].flatMap((key) =>
    deps.metrics.chunkKeys(scope.workspace, runId, batchId(key), key, series.get(key) ?? []),
  );
  if (state) {
    for (const [key, value] of written.index) {
      const stored = state.metrics.entries.get(key)?.value;
      if (stored && sortable(storedValueNumber(stored.v)) === value) continue;
      keys.push(metricIndexKey(scope.workspace, state.run.experimentId, key, value, runId));
    }
  }
  if (keys.length > 0) await deps.metrics.deleteItems(keys).catch(() => undefined);
}
