import { useEffect, useRef, useState } from 'preact/hooks';
import uPlot from 'uplot';
import { RunLabel } from '../components/CompareByRun.tsx';
import { formatClock, formatDuration, formatNumber, formatTick, formatWallTick } from '../format.ts';
import { describeError } from '../hooks.ts';
import {
  dashOf,
  describeNonFinite,
  fetchSeries,
  type LineStyle,
  maxPointsLimit,
  type Series,
  smooth,
  type StepRange,
} from './series.ts';

export type XMode = 'step' | 'relative' | 'wall';

export interface ChartRun {
  runId: string;
  label: string;
  color: string;
  /** Origin of the relative time axis. */
  startTime: number;
  /** Solid unless more runs than colours are drawn (compare). */
  lineStyle?: LineStyle;
}

export interface ChartOptions {
  xMode: XMode;
  logScale: boolean;
  /** 0 (off) to 0.99. */
  smoothing: number;
}

interface Loaded {
  series: Series[];
  range: StepRange | undefined;
  maxPoints: number;
}

const chartHeight = 240;
const axisFont = '11px system-ui, sans-serif';

/**
 * The y axis as wide as its longest label (uPlot's own sizing is fixed), so
 * values such as 1.5e8 or 2.5e-5 are never cut at the card's edge.
 */
const axisSizeForLabels: uPlot.Axis.Size = (u, values, axisIndex, cycle) => {
  const axis = u.axes[axisIndex] as uPlot.Axis & { _size?: number; font?: [string, number] };
  if (cycle > 1 && axis._size !== undefined) return axis._size;
  const longest = (values ?? []).reduce(
    (widest, value) => (value && value.length > widest.length ? value : widest),
    '',
  );
  u.ctx.font = axis.font?.[0] ?? axisFont;
  const labelWidth = longest ? u.ctx.measureText(longest).width / (window.devicePixelRatio || 1) : 0;
  return Math.ceil(Math.max(40, labelWidth + (axis.gap ?? 5) + 4 + 10));
};

/** Tick spacings of a step axis: 1, 2, 5, 10, 20, 50, … (uPlot's own include 0.5, 0.25, …). */
const stepIncrements = Array.from({ length: 16 }, (_, power) => [1, 2, 5].map((m) => m * 10 ** power)).flat();

/** Labels of the ticks uPlot keeps; the ones it filters out (minor ticks of a log scale) arrive as null. */
const tickLabels = (format: (value: number) => string) => (_u: uPlot, splits: Array<number | null>) =>
  splits.map((value) => (value === null || value === undefined ? '' : format(value)));

/**
 * The step every run logged its one point at, when each logged at most one and all at the same step:
 * a value to read as a number, not a lone dot on an axis around it.
 */
export function singleStep(series: readonly Series[]): number | undefined {
  let step: number | undefined;
  for (const one of series) {
    if (one.steps.length > 1) return undefined;
    if (one.steps.length === 0) continue;
    if (step !== undefined && one.steps[0] !== step) return undefined;
    step = one.steps[0];
  }
  return step;
}

/** A run's one point: its value, or the NaN or ±Infinity logged there; undefined when it has none. */
const onlyValue = (series: Series) =>
  series.steps.length === 0 ? undefined : (series.values[0] ?? series.nonFinite.get(0) ?? null);

/**
 * Wall-time ticks in the app's date style, about as far apart as their labels are wide: a day's date and
 * time, or a time to the millisecond (points seconds apart), take more room than "01:02 PM".
 */
const wallTickSpace: uPlot.Axis.Space = (_u, _axis, min, max) => (max - min >= 86_400 || max - min < 10 ? 120 : 90);
const wallTickLabels: uPlot.Axis.DynamicValues = (u, splits, _axis, _space, spacing) => {
  const span = ((u.scales.x?.max ?? 0) - (u.scales.x?.min ?? 0)) * 1000;
  const ratio = window.devicePixelRatio || 1;
  // Room for a label left of the plot (the y axis) and right of it (the card's padding), in CSS pixels.
  const leftRoom = u.bbox.left / ratio;
  const rightEdge = (u.bbox.left + u.bbox.width) / ratio + 8;
  return splits.map((value) => {
    const label = formatWallTick(value * 1000, spacing * 1000, span);
    const half = (label.length * 6.2) / 2;
    const at = leftRoom + u.valToPos(value, 'x');
    // A label that would run past the card's edge is left out rather than cut ("03:42:14.49").
    return at - half < 0 || at + half > rightEdge ? '' : label;
  });
};

/** A log scale from a decade to a decade, so the axis is labelled below its lowest value (0.2 gets 0.1). */
const wholeDecades: uPlot.Range.Function = (_u, min, max) =>
  min === null || max === null ? [min, max] : uPlot.rangeLog(min, max, 10, true);

/** The theme's colours, read from the CSS tokens so charts follow light and dark mode. */
function themeColors() {
  const style = getComputedStyle(document.documentElement);
  const read = (name: string) => style.getPropertyValue(name).trim();
  return { axis: read('--axis'), grid: read('--grid'), text: read('--text') };
}

function xValues(series: Series, mode: XMode, origin: number): Float64Array {
  if (mode === 'step') return series.steps;
  if (mode === 'wall') return series.times.map((time) => time / 1000);
  return series.times.map((time) => (time - origin) / 1000);
}

/** The steps covering an x range in the current mode, from the loaded points. */
function stepsWithin(
  loaded: Loaded,
  runs: readonly ChartRun[],
  mode: XMode,
  min: number,
  max: number,
): StepRange | undefined {
  if (mode === 'step') return { start: Math.ceil(min), end: Math.floor(max) };
  let start = Infinity;
  let end = -Infinity;
  for (const [index, series] of loaded.series.entries()) {
    const xs = xValues(series, mode, runs[index]?.startTime ?? 0);
    xs.forEach((x, index) => {
      if (x >= min && x <= max) {
        start = Math.min(start, series.steps[index] as number);
        end = Math.max(end, series.steps[index] as number);
      }
    });
  }
  return start <= end ? { start, end } : undefined;
}

/**
 * One metric of one or more runs, drawn by uPlot. Asks the API for about two
 * points per pixel (min/max buckets keep spikes); dragging across the chart
 * zooms by fetching that step range again at full detail. Double-click,
 * Escape or 0 resets; with the chart focused, + and - zoom, arrows pan.
 */
export function MetricChart(props: {
  metricKey: string;
  runs: readonly ChartRun[];
  options: ChartOptions;
  zoom: StepRange | undefined;
  onZoom: (range: StepRange | undefined) => void;
  /** Changes when the runs may have new points (live refresh). */
  refresh?: number;
  headingId: string;
}) {
  const container = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const [loaded, setLoaded] = useState<Loaded | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [loading, setLoading] = useState(true);
  const [fullExtent, setFullExtent] = useState<StepRange | undefined>();
  const zoomKey = props.zoom ? `${props.zoom.start}..${props.zoom.end}` : 'all';
  const runKey = props.runs.map((run) => run.runId).join(',');

  // The request in flight, and what it asks for.
  const request = useRef<{ identity: string; controller: AbortController } | undefined>(undefined);
  useEffect(() => () => request.current?.controller.abort(), []);

  // Fetch: the whole history, or the zoomed step range, for every run.
  useEffect(() => {
    const element = container.current;
    if (!element) return;
    const identity = `${props.metricKey}|${runKey}|${zoomKey}`;
    // A live refresh while the same request is still answering lets it finish: restarting it on every
    // tick would never draw a history that takes longer than the poll interval to read.
    if (request.current?.identity === identity) return;
    request.current?.controller.abort();
    const controller = new AbortController();
    request.current = { identity, controller };
    const settled = () => {
      if (request.current?.controller === controller) request.current = undefined;
    };
    const width = element.clientWidth || 600;
    const maxPoints = Math.min(maxPointsLimit, Math.max(200, Math.round(width * 2)));
    setLoading(true);
    Promise.all(
      props.runs.map((run) =>
        fetchSeries(run.runId, props.metricKey, { maxPoints, range: props.zoom }, controller.signal),
      ),
    )
      .then(
        (series) => {
          if (controller.signal.aborted) return;
          setLoaded({ series, range: props.zoom, maxPoints });
          if (!props.zoom) {
            const steps = series.flatMap((one) =>
              one.steps.length ? [one.steps[0] as number, one.steps[one.steps.length - 1] as number] : [],
            );
            if (steps.length) setFullExtent({ start: Math.min(...steps), end: Math.max(...steps) });
          }
          setError(undefined);
          setLoading(false);
        },
        (failure: unknown) => {
          if (controller.signal.aborted) return;
          setError(describeError(failure));
          setLoading(false);
        },
      )
      .finally(settled);
  }, [props.metricKey, runKey, zoomKey, props.refresh]);

  // Draw: a new uPlot when the data or the view options change.
  useEffect(() => {
    const element = container.current;
    if (!element || !loaded || singleStep(loaded.series) !== undefined) return;
    const { xMode, logScale, smoothing } = props.options;
    const tables: uPlot.AlignedData[] = [];
    const seriesOptions: uPlot.Series[] = [];
    loaded.series.forEach((series, index) => {
      const run = props.runs[index] as ChartRun;
      const xs = Array.from(xValues(series, xMode, run.startTime));
      const raw = logScale ? series.values.map((value) => (value !== null && value > 0 ? value : null)) : series.values;
      // NaN and ±Infinity are gaps in the line (null; steps only other runs logged are undefined after
      // uPlot.join and are bridged), and the legend says what was logged there rather than nothing.
      const nonFiniteAt = new Map([...series.nonFinite].map(([at, value]) => [xs[at] as number, value]));
      const value: uPlot.Series['value'] = (u, v, _seriesIndex, dataIndex) => {
        if (v !== null || dataIndex === null) return formatNumber(v);
        const x = (u.data[0] as ArrayLike<number>)[dataIndex] as number;
        return nonFiniteAt.has(x) ? formatNumber(nonFiniteAt.get(x)) : '—';
      };
      if (smoothing > 0) {
        tables.push([xs, raw, smooth(raw, smoothing)] as uPlot.AlignedData);
        seriesOptions.push(
          { label: `${run.label} (raw)`, stroke: `${run.color}40`, width: 1, points: { show: false } },
          { label: run.label, stroke: run.color, width: 1.75, dash: dashOf(run.lineStyle), value },
        );
      } else {
        tables.push([xs, raw] as uPlot.AlignedData);
        seriesOptions.push({ label: run.label, stroke: run.color, width: 1.5, dash: dashOf(run.lineStyle), value });
      }
    });
    const lineStyleOfSeries: Array<LineStyle | undefined> = [
      undefined,
      ...loaded.series.flatMap((_series, index) => {
        const style = props.runs[index]?.lineStyle;
        return smoothing > 0 ? [style, style] : [style];
      }),
    ];
    const data = tables.length === 1 ? (tables[0] as uPlot.AlignedData) : uPlot.join(tables);
    const xs = data[0] as ArrayLike<number>;
    const onlyX = xs.length > 0 && xs[0] === xs[xs.length - 1] ? (xs[0] as number) : undefined;
    const colors = themeColors();
    // The labels drawn, kept on the chart as data-x-ticks and data-y-ticks: the canvas holds them as pixels only.
    const drawn: [string[], string[]] = [[], []];
    const axis = (values: uPlot.Axis.DynamicValues, index: 0 | 1): uPlot.Axis => ({
      stroke: colors.axis,
      grid: { stroke: colors.grid, width: 1 },
      ticks: { stroke: colors.grid, width: 1, size: 4 },
      font: axisFont,
      values: (u, splits, ...rest) => {
        const labels = values(u, splits, ...rest);
        drawn[index] = labels.map((label) => String(label ?? ''));
        return labels;
      },
    });
    const xFormat = (value: number) =>
      xMode === 'step'
        ? formatNumber(value)
        : xMode === 'relative'
          ? formatDuration(value * 1000)
          : formatClock(value * 1000);
    const options: uPlot.Options = {
      width: element.clientWidth,
      height: chartHeight,
      scales: {
        // One x value (a metric logged once) would get uPlot's 0..100 with the point on the left edge: centre it.
        x:
          onlyX === undefined
            ? { time: xMode === 'wall' }
            : { time: xMode === 'wall', auto: false, range: [onlyX - 1, onlyX + 1] },
        y: logScale ? { distr: 3, range: wholeDecades } : { distr: 1 },
      },
      series: [
        { label: xMode === 'step' ? 'step' : 'time', value: (_u, v) => (v === null ? '—' : xFormat(v)) },
        ...seriesOptions,
      ],
      axes: [
        {
          ...axis(xMode === 'wall' ? wallTickLabels : tickLabels(xFormat), 0),
          size: 34,
          // Steps are whole numbers: no tick at step 2.5 when a run has a dozen steps.
          ...(xMode === 'step' ? { incrs: stepIncrements } : {}),
          ...(xMode === 'wall' ? { space: wallTickSpace } : {}),
          // Points all at one x (a value logged again and again at step 0): one tick there, not -1, 0 and 1.
          ...(onlyX === undefined ? {} : { splits: [onlyX] }),
        },
        { ...axis(tickLabels(formatTick), 1), size: axisSizeForLabels },
      ],
      // A dashed or dotted run's legend marker is drawn so (uPlot's markers are solid by default).
      legend: {
        live: true,
        markers: { dash: (_u, index) => (index === 0 ? 'solid' : (lineStyleOfSeries[index] ?? 'solid')) },
      },
      cursor: {
        drag: { x: true, y: false, setScale: false },
        bind: { dblclick: () => () => null },
      },
      hooks: {
        // The legend shows values only for a point under the cursor: uPlot fills it with "—" when the
        // cursor is off the plot (over the legend, after a zoom redraw, with only keyboard focus).
        setCursor: [(u) => element.toggleAttribute('data-cursor', u.cursor.idx != null)],
        draw: [
          () => {
            element.dataset['xTicks'] = drawn[0].filter(Boolean).join(' | ');
            element.dataset['yTicks'] = drawn[1].filter(Boolean).join(' | ');
          },
        ],
        setSelect: [
          (u) => {
            if (u.select.width > 4) {
              const min = u.posToVal(u.select.left, 'x');
              const max = u.posToVal(u.select.left + u.select.width, 'x');
              const steps = stepsWithin(loaded, props.runs, xMode, min, max);
              if (steps && steps.end >= steps.start) props.onZoom(steps);
            }
            u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
          },
        ],
      },
    };
    plot.current?.destroy();
    element.removeAttribute('data-cursor');
    const chart = new uPlot(options, data, element);
    chart.over.addEventListener('dblclick', () => props.onZoom(undefined));
    chart.root.querySelectorAll<HTMLElement>('.u-legend .u-series').forEach((row, index) => {
      // Raw lines behind smoothed ones are context, not entries of their own in the legend.
      if (smoothing > 0 && index > 0 && index % 2 === 1) row.style.display = 'none';
      // A long run name is cut with … (styles.css); the whole name is its tooltip.
      const label = row.querySelector<HTMLElement>('.u-label');
      if (label) label.title = label.textContent ?? '';
    });
    plot.current = chart;
    // For `npm run bench` (time to the first drawn chart) and the browser's own performance tools.
    if (performance.getEntriesByName(`stratus:chart-drawn:${props.metricKey}`).length === 0) {
      performance.mark(`stratus:chart-drawn:${props.metricKey}`);
    }
    return () => {
      chart.destroy();
      if (plot.current === chart) plot.current = null;
    };
  }, [loaded, props.options.xMode, props.options.logScale, props.options.smoothing]);

  // Follow the container's width.
  useEffect(() => {
    const element = container.current;
    if (!element) return;
    const observer = new ResizeObserver(() =>
      plot.current?.setSize({ width: element.clientWidth, height: chartHeight }),
    );
    observer.observe(element);
    return () => observer.disconnect();
  }, []);

  const pointCount = loaded ? loaded.series.reduce((sum, series) => sum + series.values.length, 0) : 0;
  const single = loaded && !error ? singleStep(loaded.series) : undefined;
  const downsampled = loaded?.series.some((series) => series.downsampled) ?? false;
  const nonFinite = loaded ? describeNonFinite(loaded.series) : '';

  const onKey = (event: KeyboardEvent) => {
    const current = props.zoom ?? fullExtent;
    if (event.key === 'Escape' || event.key === '0') {
      if (props.zoom) props.onZoom(undefined);
      return;
    }
    if (!current) return;
    const span = Math.max(1, current.end - current.start);
    const clamp = (range: StepRange): StepRange | undefined => {
      if (!fullExtent) return range;
      const start = Math.max(fullExtent.start, range.start);
      const end = Math.min(fullExtent.end, range.end);
      return start <= fullExtent.start && end >= fullExtent.end ? undefined : { start, end };
    };
    let next: StepRange | undefined | null = null;
    if (event.key === '+' || event.key === '=')
      next = { start: Math.round(current.start + span / 4), end: Math.round(current.end - span / 4) };
    else if (event.key === '-')
      next = clamp({ start: Math.round(current.start - span / 2), end: Math.round(current.end + span / 2) });
    else if (event.key === 'ArrowLeft' && props.zoom)
      next = clamp({ start: Math.round(current.start - span / 4), end: Math.round(current.end - span / 4) });
    else if (event.key === 'ArrowRight' && props.zoom)
      next = clamp({ start: Math.round(current.start + span / 4), end: Math.round(current.end + span / 4) });
    if (next === null) return;
    event.preventDefault();
    props.onZoom(next);
  };

  return (
    <>
      <header>
        <h3 id={props.headingId} title={props.metricKey}>
          {props.metricKey}
        </h3>
        <div class="chart-meta" aria-live="polite">
          {props.zoom && (
            <button type="button" class="small" onClick={() => props.onZoom(undefined)}>
              Reset zoom
            </button>
          )}
          {props.zoom && (
            <span class="badge">
              steps {formatNumber(props.zoom.start)}–{formatNumber(props.zoom.end)}
            </span>
          )}
          {loaded && !error && single === undefined && (
            <span
              class="badge"
              title="Points drawn; downsampled views keep each bucket's minimum and maximum, so spikes show"
            >
              {pointCount.toLocaleString('en-US')} {pointCount === 1 ? 'pt' : 'pts'} ·{' '}
              {downsampled ? 'downsampled' : 'full detail'}
            </span>
          )}
          {loaded && !error && nonFinite && (
            <span
              class="badge warn"
              data-testid="non-finite"
              title="Points logged as NaN or ±Infinity: gaps in the line; hover the gap for the value"
            >
              {nonFinite}
            </span>
          )}
        </div>
      </header>
      <div
        class={`chart-area ${single === undefined ? '' : 'single'}`}
        ref={container}
        tabIndex={single === undefined ? 0 : undefined}
        role="group"
        aria-label={
          single === undefined
            ? `Chart of ${props.metricKey}. Drag to zoom; with focus, plus and minus zoom, arrows pan, 0 resets.`
            : `${props.metricKey}, logged once at step ${formatNumber(single)}`
        }
        onKeyDown={single === undefined ? onKey : undefined}
        data-metric={props.metricKey}
        data-state={loading ? 'loading' : error ? 'error' : 'ready'}
        data-points={pointCount}
        data-max-points={loaded?.maxPoints}
        data-range={loaded?.range ? `${loaded.range.start}..${loaded.range.end}` : 'all'}
        data-extent={fullExtent ? `${fullExtent.start}..${fullExtent.end}` : undefined}
        data-downsampled={String(downsampled)}
      >
        {loading && !loaded && <div class="chart-status">Loading…</div>}
        {error && <div class="chart-status error-box">{error}</div>}
        {loaded && !error && pointCount === 0 && <div class="chart-status">No points in this range</div>}
        {loaded && single !== undefined && <SingleValues runs={props.runs} series={loaded.series} step={single} />}
      </div>
    </>
  );
}

/**
 * A metric each run logged once, at the same step: its values as numbers, where a chart would be a lone dot.
 * Compared runs that did not log it are left out.
 */
function SingleValues(props: { runs: readonly ChartRun[]; series: readonly Series[]; step: number }) {
  const rows = props.runs.flatMap((run, index) => {
    const series = props.series[index];
    const value = series ? onlyValue(series) : undefined;
    return value === undefined ? [] : [{ run, value }];
  });
  const when = `logged once, at step ${formatNumber(props.step)}`;
  if (props.runs.length === 1)
    return (
      <p class="single-value">
        <span class="value">{formatNumber(rows[0]?.value)}</span>
        <span class="muted">{when}</span>
      </p>
    );
  return (
    <div class="single-value">
      <table class="data single-values">
        <caption class="muted">{when}</caption>
        <tbody>
          {rows.map(({ run, value }) => (
            <tr key={run.runId}>
              <th scope="row" title={run.label}>
                <RunLabel run={{ label: run.label, color: run.color, lineStyle: run.lineStyle ?? 'solid' }} />
              </th>
              <td class="num">{formatNumber(value)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
