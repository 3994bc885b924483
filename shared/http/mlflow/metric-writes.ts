import type { MetricInput } from '../../use-cases/log-batch.ts';

/**
 * MLflow's SQL store keeps a metric point once: (run, key, value, step,
 * timestamp) is its primary key, a request's repeats of a point are dropped
 * before the insert and a point already stored is skipped. So a client that
 * retries a log-batch or log-metric (its HTTP layer does on 5xx and 429), or a
 * script calling log_metric twice with one timestamp, finds each point once in
 * the history. Points that differ in value or timestamp alone are all kept.
 *
 * Stratus gets the same from its idempotent batches rather than by reading the
 * history on every write: a request's repeats are dropped here, and a request
 * that carries the same points as one before it (in the same order) is given
 * the same idempotency key, so it rewrites the items the first one wrote. A
 * request that repeats some stored points beside new ones still adds them
 * again (see the MLflow compatibility table in the README).
 */
export function pointsOnce(
  runId: string,
  metrics: readonly MetricInput[],
): { points: MetricInput[]; idempotencyKey: string | undefined } {
  const seen = new Set<string>();
  const points: MetricInput[] = [];
  for (const metric of metrics) {
    const identity = pointIdentity(metric);
    if (seen.has(identity)) continue;
    seen.add(identity);
    points.push(metric);
  }
  if (points.length === 0) return { points, idempotencyKey: undefined };
  // The use case digests the key, so its length does not matter; the run id keeps runs apart.
  return { points, idempotencyKey: `mlflow-points\n${runId}\n${[...seen].join('\n')}` };
}

/**
 * What MLflow compares: key, value, step (0 when absent) and timestamp. The
 * value as text, so NaN equals NaN (MLflow stores it as 0 flagged is_nan).
 * JSON.stringify quotes the key, so no key can run into the fields after it.
 */
const pointIdentity = (metric: MetricInput) =>
  JSON.stringify([metric.key, String(metric.value), metric.step ?? 0, metric.timestamp ?? null]);
