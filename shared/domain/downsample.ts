import type { MetricPoint } from './metric-chunk.ts';

/**
 * Reduces a step-ordered series to at most `maxPoints` points for charts. The
 * series is cut into equal-count buckets and each bucket keeps its minimum and
 * its maximum point (in step order), so spikes and dips survive. NaN never wins
 * a comparison; a bucket of only NaN keeps its first point.
 */
export function downsampleMinMax(points: readonly MetricPoint[], maxPoints: number): MetricPoint[] {
  if (points.length <= maxPoints) return [...points];
  const bucketCount = Math.max(1, Math.floor(maxPoints / 2));
  const out: MetricPoint[] = [];
  for (let b = 0; b < bucketCount; b++) {
    const start = Math.floor((b * points.length) / bucketCount);
    const end = Math.floor(((b + 1) * points.length) / bucketCount);
    let minIndex = -1;
    let maxIndex = -1;
    for (let i = start; i < end; i++) {
      const value = (points[i] as MetricPoint).value;
      if (Number.isNaN(value)) continue;
      if (minIndex < 0 || value < (points[minIndex] as MetricPoint).value) minIndex = i;
      if (maxIndex < 0 || value > (points[maxIndex] as MetricPoint).value) maxIndex = i;
    }
    if (minIndex < 0) {
      out.push(points[start] as MetricPoint);
      continue;
    }
    const [first, second] = minIndex <= maxIndex ? [minIndex, maxIndex] : [maxIndex, minIndex];
    out.push(points[first] as MetricPoint);
    if (second !== first) out.push(points[second] as MetricPoint);
  }
  return out;
}
