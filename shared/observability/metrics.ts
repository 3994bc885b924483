import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Business metrics of one request. Use cases and adapters add to the current
 * request's record (`addMetric`); the request log (shared/http/request-log.ts)
 * writes them once, at the end of the request, as CloudWatch embedded metric
 * format: one log line, no API call, no extra latency. Outside a request (the
 * local stack's bootstrap, unit tests) adding does nothing.
 */

/** Every business metric, with its CloudWatch unit. Dimensions are only ever from small fixed sets. */
export const businessMetrics = {
  /** Metric points accepted (a retried batch counts again, though its points are stored once). */
  PointsIngested: 'Count',
  /** Bytes of the artifact uploads planned (presigned). */
  ArtifactBytesPlanned: 'Bytes',
  /** Token lookups that found no token: anonymous guessing, or a deleted token still in use. */
  UnknownTokenLookups: 'Count',
  /** Run searches, by the plan the planner chose (dimension SearchPlan: candidates, stream, full). */
  Searches: 'Count',
} as const;

export type BusinessMetric = keyof typeof businessMetrics;

/** A dimension of a business metric: its name and a value from a small fixed set (never user input). */
export type MetricDimension = readonly [name: string, value: string];

export interface MetricSample {
  name: BusinessMetric;
  value: number;
  dimension: MetricDimension | undefined;
}

const current = new AsyncLocalStorage<Map<string, MetricSample>>();

/** Adds `value` to a business metric of the current request. */
export function addMetric(name: BusinessMetric, value: number, dimension?: MetricDimension): void {
  const samples = current.getStore();
  if (!samples || !Number.isFinite(value)) return;
  const key = dimension ? `${name}\u0000${dimension[0]}\u0000${dimension[1]}` : name;
  const sample = samples.get(key);
  if (sample) sample.value += value;
  else samples.set(key, { name, value, dimension });
}

/** Runs `work` with a fresh record of business metrics, returned with its result (or its error). */
export async function collectMetrics<T>(
  work: () => Promise<T>,
): Promise<{ outcome: { result: T } | { error: unknown }; samples: MetricSample[] }> {
  const samples = new Map<string, MetricSample>();
  return current.run(samples, async () => {
    try {
      return { outcome: { result: await work() }, samples: [...samples.values()] };
    } catch (error) {
      return { outcome: { error }, samples: [...samples.values()] };
    }
  });
}
