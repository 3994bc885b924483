import type { ComponentChildren } from 'preact';
import { updateQuery, type CurrentLocation } from '../router.ts';
import type { ChartOptions, XMode } from './MetricChart.tsx';
import type { StepRange } from './series.ts';

/** Chart view options kept in the URL: x=step|relative|wall, log=1, smooth=0.6, metric=KEY&zoom=A..B. */
export function chartOptionsFrom(query: URLSearchParams): ChartOptions {
  const x = query.get('x');
  const smoothing = Number(query.get('smooth') ?? 0);
  return {
    xMode: x === 'relative' || x === 'wall' ? x : 'step',
    logScale: query.get('log') === '1',
    smoothing: Number.isFinite(smoothing) ? Math.min(0.99, Math.max(0, smoothing)) : 0,
  };
}

/** The zoomed chart of the view, if any: `metric` names it, `zoom` is its step range. */
export function zoomFrom(query: URLSearchParams): { metric: string; range: StepRange } | undefined {
  const metric = query.get('metric');
  const match = /^(-?\d+)\.\.(-?\d+)$/.exec(query.get('zoom') ?? '');
  if (metric === null || !match) return undefined;
  const start = Number(match[1]);
  const end = Number(match[2]);
  return start <= end ? { metric, range: { start, end } } : undefined;
}

export const zoomUpdate = (metric: string, range: StepRange | undefined) => ({
  metric: range ? metric : undefined,
  zoom: range ? `${range.start}..${range.end}` : undefined,
});

/** The charts' search (`charts=` in the URL): the metric names shown are those holding every word of it. */
export function chartsMatching(metricKeys: readonly string[], query: URLSearchParams): string[] {
  const words = (query.get('charts') ?? '').toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return [...metricKeys];
  return metricKeys.filter((key) => words.every((word) => key.toLowerCase().includes(word)));
}

/** From this many metrics on, the charts can be searched by name (a run may log hundreds). */
const searchableFrom = 5;

const modes: Array<[XMode, string]> = [
  ['step', 'Step'],
  ['relative', 'Relative time'],
  ['wall', 'Wall time'],
];

export function ChartControls(props: {
  location: CurrentLocation;
  /** How many metrics there are to chart: a search box is offered when there are many. */
  metricCount: number;
  /** How many of them the search leaves. */
  shownCount: number;
  children?: ComponentChildren;
}) {
  const options = chartOptionsFrom(props.location.query);
  const search = props.location.query.get('charts') ?? '';
  return (
    <div class="card chart-controls" role="group" aria-label="Chart options">
      {(props.metricCount >= searchableFrom || search !== '') && (
        <input
          type="search"
          class="chart-search"
          placeholder={`Find among ${props.metricCount} charts`}
          aria-label="Find charts by metric name"
          value={search}
          onInput={(event) => updateQuery({ charts: event.currentTarget.value || undefined })}
        />
      )}
      {search !== '' && (
        <span class="muted" aria-live="polite">
          {props.shownCount} of {props.metricCount}
        </span>
      )}
      <span class="segmented" role="group" aria-label="X axis">
        {modes.map(([mode, label]) => (
          <button
            type="button"
            key={mode}
            aria-pressed={options.xMode === mode}
            onClick={() => updateQuery({ x: mode === 'step' ? undefined : mode })}
          >
            {label}
          </button>
        ))}
      </span>
      <label class="checkbox">
        <input
          type="checkbox"
          checked={options.logScale}
          onChange={(event) => updateQuery({ log: event.currentTarget.checked ? '1' : undefined })}
        />
        Log scale
      </label>
      <label>
        Smoothing
        <input
          type="range"
          min={0}
          max={0.99}
          step={0.01}
          value={options.smoothing}
          aria-valuetext={options.smoothing === 0 ? 'off' : options.smoothing.toFixed(2)}
          onInput={(event) =>
            updateQuery({ smooth: event.currentTarget.value === '0' ? undefined : event.currentTarget.value })
          }
        />
        <span class="mono" style={{ width: '32px' }}>
          {options.smoothing === 0 ? 'off' : options.smoothing.toFixed(2)}
        </span>
      </label>
      {props.children}
    </div>
  );
}
