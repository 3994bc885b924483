import type { Comparison, RunDetails } from './types.ts';

/** UTF-16 order, as the server sorts names (JavaScript's default sort). */
const sortedUnion = (names: readonly string[], more: Iterable<Iterable<string>>) => {
  const all = new Set(names);
  for (const keys of more) for (const key of keys) all.add(key);
  return [...all].sort();
};

/**
 * The answer with the rows of the runs read whole (`params`, `metrics` by run id) put in, and the names of
 * their keys among the columns. Rows stay sparse (a key absent is null), so 50 runs of 10,000 different
 * params make 500,000 entries, not 50 times 500,000.
 */
export function completedComparison(
  answer: Comparison,
  params: ReadonlyMap<string, Record<string, string>>,
  metrics: ReadonlyMap<string, RunDetails['metrics']>,
): Comparison {
  return {
    param_names: sortedUnion(answer.param_names, [...params.values()].map(Object.keys)),
    metric_names: sortedUnion(answer.metric_names, [...metrics.values()].map(Object.keys)),
    runs: answer.runs.map((run) => {
      const runParams = params.get(run.run_id);
      const runMetrics = metrics.get(run.run_id);
      if (!runParams && !runMetrics) return run;
      const latest: Record<string, (typeof run.metrics)[string]> = Object.create(null);
      const steps: typeof run.metric_steps = Object.create(null);
      if (runMetrics) {
        for (const [key, point] of Object.entries(runMetrics)) {
          latest[key] = point.value;
          steps[key] = { step: point.step, min_step: point.min_step };
        }
      }
      return {
        ...run,
        ...(runParams ? { params: runParams, params_truncated: undefined } : {}),
        ...(runMetrics ? { metrics: latest, metric_steps: steps, metrics_truncated: undefined } : {}),
      };
    }),
  };
}
