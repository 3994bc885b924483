import { api, unwrap } from '../api/client.ts';
import { numericValue } from '../api/types.ts';

/** One run's history of one metric, as columns ready for uPlot. */
export interface Series {
  steps: Float64Array;
  times: Float64Array;
  /** NaN and ±Infinity become null: gaps, as a chart cannot place them. */
  values: Array<number | null>;
  /** The points that were NaN or ±Infinity, by index: said in the legend and counted on the chart. */
  nonFinite: Map<number, number>;
  downsampled: boolean;
}

export interface StepRange {
  start: number;
  end: number;
}

/** The API's largest `max_points`. */
export const maxPointsLimit = 5000;

/**
 * Fetches a metric's history for a chart: at most `maxPoints` points over the
 * step range (the whole history when absent). The server keeps each bucket's
 * minimum and maximum, so spikes survive; a range with fewer points than
 * `maxPoints` comes back at full detail.
 */
export async function fetchSeries(
  runId: string,
  key: string,
  options: { maxPoints: number; range?: StepRange | undefined },
  signal?: AbortSignal,
): Promise<Series> {
  const answer = unwrap(
    await api.GET('/api/v1/runs/{run_id}/metrics/{metric_key}', {
      params: {
        path: { run_id: runId, metric_key: key },
        query: {
          max_points: Math.min(maxPointsLimit, Math.max(2, Math.round(options.maxPoints))),
          ...(options.range
            ? { start_step: Math.floor(options.range.start), end_step: Math.ceil(options.range.end) }
            : {}),
        },
      },
      signal,
    }),
  );
  const count = answer.points.length;
  const steps = new Float64Array(count);
  const times = new Float64Array(count);
  const values = new Array<number | null>(count);
  const nonFinite = new Map<number, number>();
  answer.points.forEach((point, index) => {
    steps[index] = point.step;
    times[index] = point.timestamp;
    const value = numericValue(point.value);
    if (Number.isFinite(value)) values[index] = value;
    else {
      values[index] = null;
      nonFinite.set(index, value);
    }
  });
  return { steps, times, values, nonFinite, downsampled: answer.downsampled };
}

/** "3 NaN, 1 ∞": the points of the series that no chart can place, or '' when there are none. */
export function describeNonFinite(series: readonly Series[]): string {
  const counts = new Map<string, number>();
  for (const one of series)
    for (const value of one.nonFinite.values()) {
      const label = Number.isNaN(value) ? 'NaN' : value > 0 ? '∞' : '−∞';
      counts.set(label, (counts.get(label) ?? 0) + 1);
    }
  return [...counts.entries()].map(([label, count]) => `${count.toLocaleString('en-US')} ${label}`).join(', ');
}

/**
 * Exponential moving average with TensorBoard's debiasing, so the smoothed
 * line starts at the first value instead of rising from zero. Gaps stay gaps.
 */
export function smooth(values: ReadonlyArray<number | null>, weight: number): Array<number | null> {
  if (weight <= 0) return [...values];
  let last = 0;
  let debiasWeight = 0;
  return values.map((value) => {
    if (value === null) return null;
    last = last * weight + (1 - weight) * value;
    debiasWeight = debiasWeight * weight + (1 - weight);
    return last / debiasWeight;
  });
}

/** Colours for runs, told apart in light and dark themes alike. */
export const palette = [
  '#3b82f6',
  '#f97316',
  '#10b981',
  '#e11d48',
  '#8b5cf6',
  '#eab308',
  '#06b6d4',
  '#db2777',
  '#84cc16',
  '#64748b',
];
export const colorFor = (index: number) => palette[index % palette.length] as string;

/** How a run's line is drawn: each round of the palette its own style, so the 11th run is not the 1st's twin. */
export type LineStyle = 'solid' | 'dashed' | 'dotted';
const lineStyles: LineStyle[] = ['solid', 'dashed', 'dotted'];
export const lineStyleFor = (index: number): LineStyle =>
  lineStyles[Math.floor(index / palette.length) % lineStyles.length] as LineStyle;
/** The canvas dash pattern of a line style (undefined: solid). */
export const dashOf = (style: LineStyle | undefined): number[] | undefined =>
  style === 'dashed' ? [7, 4] : style === 'dotted' ? [1.5, 3] : undefined;
