import type { MetricPoint } from '../domain/metric-chunk.ts';
import { NotFoundError } from '../errors.ts';
import { historyPageByTime } from '../storage/metric-history-by-time.ts';
import type { RequestScope, TrackingDeps } from './deps.ts';
import { type LogBatchResult, logBatch, type MetricInput } from './log-batch.ts';
import { downsampledHistory, inlineChunkOf } from './rollups.ts';

export type { MetricInput } from './log-batch.ts';
export type LogMetricsResult = LogBatchResult;

/**
 * Logs a batch of metric points: one packed chunk per key, the latest value of
 * each key whose newest point beats what is stored, rollups kept up to date
 * (see logBatch). With an idempotency key, a retried batch adds nothing.
 */
export async function logMetrics(
  scope: RequestScope,
  runId: string,
  input: { points: MetricInput[]; idempotencyKey?: string | undefined; evenIfEnded?: boolean },
  deps: Pick<TrackingDeps, 'runs' | 'metrics' | 'metricSlots' | 'clock' | 'newId'>,
): Promise<LogMetricsResult> {
  const { points, ...options } = input;
  return logBatch(scope, runId, { metrics: points, ...options }, deps);
}

export interface StepSpan {
  lowest: number;
  highest: number;
}

export interface MetricHistoryInput {
  limit: number;
  pageToken?: string | undefined;
  startStep?: number | undefined;
  endStep?: number | undefined;
  maxPoints?: number | undefined;
}

/**
 * A key's history in step order, a page at a time. With `maxPoints`, the range
 * is answered at once from the key's rollups, at most that many points (exact
 * when the range holds no more): O(maxPoints) reads for any length of history.
 * `span` is the lowest and highest step of the key's whole history (none: nothing logged).
 */
export async function getMetricHistory(
  scope: RequestScope,
  runId: string,
  key: string,
  input: MetricHistoryInput,
  deps: Pick<TrackingDeps, 'runs' | 'metrics' | 'clock'>,
): Promise<{ points: MetricPoint[]; cursor: string | undefined; downsampled: boolean; span?: StepSpan }> {
  const found = await deps.runs.metricEntry(scope.workspace, runId, key);
  if (!found) throw new NotFoundError('run', runId);
  const entry = found.entry;
  const span = entry && { span: { lowest: entry.l, highest: entry.s } };
  if (input.maxPoints === undefined) {
    const page = await deps.metrics.historyPage(scope.workspace, runId, key, {
      limit: input.limit,
      pageToken: input.pageToken,
      startStep: input.startStep,
      endStep: input.endStep,
      lookbackSteps: entry?.w ?? 0,
      inline: entry && inlineChunkOf(entry),
    });
    return { ...page, downsampled: false, ...span };
  }
  if (!entry) return { points: [], cursor: undefined, downsampled: false };
  const answer = await downsampledHistory(
    scope,
    runId,
    key,
    entry,
    { startStep: input.startStep, endStep: input.endStep, maxPoints: input.maxPoints },
    deps,
  );
  return { ...answer, cursor: undefined, ...span };
}

/**
 * A key's history in MLflow's order (timestamp, step, then value, as its SQL store answers it), a
 * page at a time. Its chunks are kept in step order: a page reads the whole history, but for the
 * pages after one that found it in time order as well, while no batch lands (historyPageByTime).
 */
export async function getMetricHistoryByTime(
  scope: RequestScope,
  runId: string,
  key: string,
  input: { limit: number; pageToken?: string | undefined },
  deps: Pick<TrackingDeps, 'runs' | 'metrics'>,
): Promise<{ points: MetricPoint[]; cursor: string | undefined }> {
  const found = await deps.runs.metricEntry(scope.workspace, runId, key);
  if (!found) throw new NotFoundError('run', runId);
  return historyPageByTime(deps.metrics, scope.workspace, runId, key, {
    limit: input.limit,
    pageToken: input.pageToken,
    inline: found.entry && inlineChunkOf(found.entry),
    batches: found.entry?.n ?? 0,
  });
}
