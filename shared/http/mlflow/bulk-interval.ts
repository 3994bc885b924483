import type { MetricPoint } from '../../domain/metric-chunk.ts';

/**
 * MLflow's sampling for `get-history-bulk-interval`
 * (mlflow/store/tracking/abstract_store.py, get_metric_history_bulk_interval,
 * which took over from the server's `_get_sampled_steps_from_steps`): steps, not
 * values, are sampled, over the union of the runs' steps, so every run is read
 * at the same steps where it has them. MLflow 3.17's SQL store samples each run on its own, by
 * row (NTILE: at most `max_results` points a run, first and last kept, only the last for 1);
 * charts read both alike, and the shared steps line runs up for comparison.
 *
 *  - With no range the range is [0, the highest step of any run].
 *  - The distinct steps in the range are taken whole when there are at most
 *    `max_results`; otherwise `max_results` of them at even index intervals
 *    (`int(i * n / max_results)`) and the last one.
 *  - Each run's lowest and highest step (of its whole history) is added when
 *    it falls in the range.
 *  - Each run answers its points at those steps in history order, at most
 *    max(max_results, steps) of them, evenly spaced when there are more
 *    (several values at one step), the first and the last kept.
 */
export interface RunSteps {
  /** The run's points in the range, in history order (step, then timestamp). */
  points: readonly MetricPoint[];
  /** The lowest and highest step of the run's whole history. */
  lowest: number;
  highest: number;
}

export function mlflowSampledPoints(
  runs: readonly RunSteps[],
  range: { start: number; end: number | undefined },
  asked: number,
): MetricPoint[][] {
  const maxResults = Math.max(1, asked);
  const allSteps = [...new Set(runs.flatMap((run) => run.points.map((point) => point.step)))].sort((a, b) => a - b);
  const start = range.start;
  const end = range.end ?? allSteps.at(-1) ?? 0;
  const inRange = allSteps.filter((step) => start <= step && step <= end);
  const sampled = new Set<number>();
  if (inRange.length <= maxResults) {
    for (const step of inRange) sampled.add(step);
  } else {
    const interval = inRange.length / maxResults;
    for (let i = 0; i < maxResults; i++) sampled.add(inRange[Math.trunc(i * interval)] as number);
    sampled.add(inRange.at(-1) as number);
  }
  for (const run of runs) {
    if (run.points.length === 0) continue;
    for (const step of [run.lowest, run.highest]) if (start <= step && step <= end) sampled.add(step);
  }
  const perRun = Math.max(maxResults, sampled.size);
  return runs.map((run) => {
    const atSteps = run.points.filter((point) => sampled.has(point.step));
    return evenlySpacedIndices(atSteps.length, perRun).map((index) => atSteps[index] as MetricPoint);
  });
}

/** At most `max` indices into `total` items at even spacing, the first and the last kept (MLflow's rounding: half to even). */
function evenlySpacedIndices(total: number, max: number): number[] {
  if (total <= max) return Array.from({ length: total }, (_, index) => index);
  if (max === 1) return [total - 1];
  const spacing = (total - 1) / (max - 1);
  const indices = new Set<number>();
  for (let i = 0; i < max; i++) indices.add(roundHalfToEven(i * spacing));
  return [...indices].sort((a, b) => a - b);
}

/** Python's round(): a half goes to the even neighbour. */
function roundHalfToEven(value: number): number {
  const floor = Math.floor(value);
  const fraction = value - floor;
  if (fraction !== 0.5) return Math.round(value);
  return floor % 2 === 0 ? floor : floor + 1;
}
