import type { MetricPoint } from '../../shared/domain/metric-chunk.ts';

/**
 * The downsampling contract (docs/data-model.md, "Rollups"), written as plainly
 * as possible: every point read, nothing precomputed. `history` is in history
 * order (step, timestamp, write order).
 */

const bits = (value: number) => {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, value);
  return view.getBigUint64(0);
};
export const triple = (p: MetricPoint) => `${p.step}|${p.timestamp}|${bits(p.value)}`;

/** The downsampling contract, written as plainly as possible (docs/data-model.md, "Rollups"). */
export function referenceDownsample(
  history: readonly MetricPoint[],
  start: number,
  end: number,
  maxPoints: number,
): MetricPoint[] {
  if (history.length === 0) return [];
  const steps = history.map((p) => p.step);
  const first = Math.max(
    start,
    steps.reduce((a, b) => Math.min(a, b)),
  );
  const last = Math.min(
    end,
    steps.reduce((a, b) => Math.max(a, b)),
  );
  const inRange = history.filter((p) => p.step >= first && p.step <= last);
  if (inRange.length <= maxPoints) return inRange;
  // Aligned buckets: at most (N-2)/2 of them, and with N < 6 the whole range is one.
  let width = 1;
  while (Math.floor(last / width) - Math.floor(first / width) + 1 > Math.max(2, Math.floor((maxPoints - 2) / 2))) {
    width *= 2;
  }
  const bucketOf = (step: number) => (maxPoints < 6 ? 0 : Math.floor(step / width));
  const chosen: MetricPoint[] = [inRange[0] as MetricPoint, inRange[inRange.length - 1] as MetricPoint];
  if (maxPoints >= 4) {
    const buckets = new Map<number, MetricPoint[]>();
    for (const p of inRange) {
      const key = bucketOf(p.step);
      buckets.set(key, [...(buckets.get(key) ?? []), p]);
    }
    for (const group of buckets.values()) {
      const numbers = group.filter((p) => !Number.isNaN(p.value));
      if (numbers.length === 0) {
        chosen.push(group[0] as MetricPoint);
        continue;
      }
      const low = Math.min(...numbers.map((p) => p.value));
      const high = Math.max(...numbers.map((p) => p.value));
      // Math.min treats -0 < 0; the contract compares with <, so -0 and 0 tie and the earlier wins.
      chosen.push(numbers.find((p) => p.value === low) as MetricPoint);
      chosen.push(numbers.find((p) => p.value === high) as MetricPoint);
    }
  }
  const unique = new Map(chosen.map((p) => [triple(p), p]));
  return [...unique.values()].sort(
    (a, b) => a.step - b.step || a.timestamp - b.timestamp || (bits(a.value) < bits(b.value) ? -1 : 1),
  );
}
