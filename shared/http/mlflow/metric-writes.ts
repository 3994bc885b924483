import type { MetricInput } from '../../use-cases/log-batch.ts';

/**
 * MLflow's SQL store keeps a metric point once: (run, key, value, step,
 * timestamp) is its primary key, a request's repeats of a point are dropped
 * before the insert and a point already stored is skipped. So a client that
 * retries a log-batch or log-metric (its HTTP layer does on 5xx and 429), a
 * script calling log_metric twice with one timestamp, and MLflow 3's log_model
 * (which sends the run's points at the model's step again, for the model) leave
 * each point once in the history. Points that differ in value or timestamp
 * alone are all kept.
 *
 * Stratus gets the same without reading the history on every write: a
 * request's repeats are dropped here, and the use case names each key's stored
 * points by the points themselves (`idempotentPoints`), so the same points of a
 * key arriving again rewrite the items they were stored in. A request that
 * repeats some of a key's stored points beside new ones of that key still adds
 * them again (see the MLflow compatibility notes in the README).
 */
export function pointsOnce(metrics: readonly MetricInput[]): {
  metrics: MetricInput[];
  idempotentPoints: true;
} {
  const seen = new Set<string>();
  const points: MetricInput[] = [];
  for (const metric of metrics) {
    const identity = pointIdentity(metric);
    if (seen.has(identity)) continue;
    seen.add(identity);
    points.push(metric);
  }
  return { metrics: points, idempotentPoints: true };
}

/**
 * What MLflow compares: key, value, step (0 when absent) and timestamp. The
 * value as text, so NaN equals NaN (MLflow stores it as 0 flagged is_nan).
 * JSON.stringify quotes the key, so no key can run into the fields after it.
 */
const pointIdentity = (metric: MetricInput) =>
  JSON.stringify([metric.key, String(metric.value), metric.step ?? 0, metric.timestamp ?? null]);
