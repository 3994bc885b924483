import { downsampleMinMax } from '../domain/downsample.ts';
import type { MetricPoint } from '../domain/metric-chunk.ts';
import { ConflictError, NotFoundError, ValidationError } from '../errors.ts';
import { digest } from '../ids.ts';
import { limits } from '../limits.ts';
import { fromStoredLatest, type StoredLatestMetric } from '../storage/run-repository.ts';
import type { RequestScope, TrackingDeps } from './deps.ts';
import { requireRunning } from './runs.ts';
import { addMetric } from '../observability/metrics.ts';
import { ownValue } from '../domain/own.ts';

export interface MetricInput {
  key: string;
  value: number;
  step?: number | undefined;
  timestamp?: number | undefined;
}

export interface LogMetricsResult {
  accepted: number;
  keys: number;
}

/** The index entry only holds the value: a newer point with the same value needs no rewrite. */
const sameIndexedValue = (stored: StoredLatestMetric | undefined, point: MetricPoint) =>
  stored !== undefined && Object.is(fromStoredLatest('', stored).value, point.value);

const isNewer = (a: MetricPoint, b: { step: number; timestamp: number }) =>
  a.step > b.step || (a.step === b.step && a.timestamp >= b.timestamp);

/**
 * Logs a batch of metric points. Points are grouped by key and written as one
 * packed chunk per key; the run's latest-metrics item is updated only for keys
 * whose newest point in this batch beats what is stored. With an idempotency
 * key, a retried batch rewrites the same chunks and adds nothing.
 */
export async function logMetrics(
  scope: RequestScope,
  runId: string,
  input: { points: MetricInput[]; idempotencyKey?: string | undefined },
  deps: Pick<TrackingDeps, 'runs' | 'metrics' | 'clock' | 'newId'>,
): Promise<LogMetricsResult> {
  const state = await requireRunning(scope, runId, deps);
  const now = deps.clock.now();
  const series = new Map<string, MetricPoint[]>();
  for (const metric of input.points) {
    const point = { step: metric.step ?? 0, timestamp: metric.timestamp ?? now, value: metric.value };
    const points = series.get(metric.key);
    if (points) points.push(point);
    else series.set(metric.key, [point]);
  }
  const newKeys = [...series.keys()].filter((key) => !(key in state.latest));
  if (Object.keys(state.latest).length + newKeys.length > limits.metricKeysPerRun) {
    throw new ConflictError('run.too_many_metric_keys', `a run holds at most ${limits.metricKeysPerRun} metric keys`);
  }
  const batchId = input.idempotencyKey ? digest(input.idempotencyKey) : deps.newId();
  // The span is recorded before the chunks land, so a reader never misses a chunk it should look back for.
  await Promise.all(
    [...series].map(([key, points]) => {
      const steps = points.map((point) => point.step);
      const span = Math.max(...steps) - Math.min(...steps);
      return span > (ownValue(state.spans, key) ?? -1)
        ? deps.runs.widenStepSpan(scope.workspace, runId, key, span)
        : undefined;
    }),
  );
  // Keys whose newest point beats the stored latest value; only their value changes.
  const latest = new Map<string, MetricPoint>();
  for (const [key, points] of series) {
    const newest = points.reduce((best, point) => (isNewer(point, best) ? point : best));
    const stored = ownValue(state.latest, key);
    if (stored && !isNewer(newest, fromStoredLatest(key, stored))) continue;
    latest.set(key, newest);
  }
  // The search index entry of each changed key rides in the chunks' BatchWrite (see docs/search.md).
  await deps.metrics.writeChunks(scope.workspace, runId, batchId, series, {
    experimentId: state.experimentId,
    latest: [...latest].filter(([key, point]) => !sameIndexedValue(ownValue(state.latest, key), point)),
  });
  await deps.runs.updateLatestMetrics(scope.workspace, runId, latest);
  addMetric('PointsIngested', input.points.length);
  return { accepted: input.points.length, keys: series.size };
}

export interface MetricHistoryInput {
  limit: number;
  pageToken?: string | undefined;
  startStep?: number | undefined;
  endStep?: number | undefined;
  maxPoints?: number | undefined;
}

/**
 * A key's history in step order. With `maxPoints` the whole step range is read
 * and reduced for charts (min and max of each bucket kept); without it, pages.
 */
export async function getMetricHistory(
  scope: RequestScope,
  runId: string,
  key: string,
  input: MetricHistoryInput,
  deps: Pick<TrackingDeps, 'runs' | 'metrics'>,
): Promise<{ points: MetricPoint[]; cursor: string | undefined; downsampled: boolean }> {
  const state = await deps.runs.getIngestState(scope.workspace, runId);
  if (!state) throw new NotFoundError('run', runId);
  const range = { startStep: input.startStep, endStep: input.endStep, lookbackSteps: ownValue(state.spans, key) ?? 0 };
  if (input.maxPoints === undefined) {
    const page = await deps.metrics.historyPage(scope.workspace, runId, key, {
      ...range,
      limit: input.limit,
      pageToken: input.pageToken,
    });
    return { ...page, downsampled: false };
  }
  const all = await deps.metrics.historyPage(scope.workspace, runId, key, {
    ...range,
    limit: limits.downsampleReadMaxPoints,
    pageToken: undefined,
  });
  if (all.cursor) {
    throw new ValidationError(
      `metric '${key}' has more than ${limits.downsampleReadMaxPoints} points in this range; narrow it with start_step and end_step`,
      'max_points.range_too_large',
    );
  }
  const points = downsampleMinMax(all.points, input.maxPoints);
  return { points, cursor: undefined, downsampled: points.length < all.points.length };
}
