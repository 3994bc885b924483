import { useRef } from 'preact/hooks';
import { textWidth } from '../components/text-width.ts';
import { useMeasuredWidth } from '../hooks.ts';
import { formatNumber, formatTick } from '../format.ts';

export interface ScatterPoint {
  label: string;
  color: string;
  x: string | null;
  y: number | null;
}

/** Tick labels' font size (px), as styles.css sets it; the body font's widths are scaled to it. */
const tickFontSize = 11;
const bodyFontSize = 14;
/** Room for the rotated metric name left of the tick labels, and the gap between them and the axis. */
const yTitleRoom = 22;
const tickGap = 8;
const margin = { right: 20, top: 16, bottom: 44 };

/** Round tick values (1, 2 or 5 times a power of ten apart) within [min, max]. */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!(max > min)) return [min];
  const rough = (max - min) / count;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = ([1, 2, 5, 10].find((factor) => factor * power >= rough) ?? 10) * power;
  const ticks: number[] = [];
  for (let value = Math.ceil(min / step) * step; value <= max + step * 1e-9; value += step) {
    ticks.push(Number(value.toPrecision(12)));
  }
  return ticks;
}

/** Where values sit on an axis: `at` maps a value to 0..1 of the plot; the ticks are values to label. */
export interface ScatterAxis {
  at: (value: number) => number;
  ticks: number[];
  log: boolean;
}

/** A linear axis over the values, padded 6% each side so no point sits on the frame. */
export function linearAxis(values: readonly number[]): ScatterAxis {
  let min = Math.min(...values);
  let max = Math.max(...values);
  if (min === max) [min, max] = [min - 1, max + 1];
  else [min, max] = [min - (max - min) * 0.06, max + (max - min) * 0.06];
  return { at: (value) => (value - min) / (max - min), ticks: niceTicks(min, max), log: false };
}

/**
 * A log axis (values all positive): a learning rate swept over 1e-4..1e-1
 * spreads its runs evenly instead of piling all but one against zero.
 * Ticks at powers of ten, with 2 and 5 between them when the values span
 * less than two decades, and only every second or third power when they span many.
 */
export function logAxis(values: readonly number[]): ScatterAxis {
  let low = Math.log10(Math.min(...values));
  let high = Math.log10(Math.max(...values));
  if (low === high) [low, high] = [low - 0.5, high + 0.5];
  else [low, high] = [low - (high - low) * 0.06, high + (high - low) * 0.06];
  const decades = high - low;
  const multiples = decades < 2 ? [1, 2, 5] : [1];
  const every = Math.max(1, Math.ceil(decades / 8));
  const ticks: number[] = [];
  for (let power = Math.floor(low); power <= Math.ceil(high); power++) {
    if (((power % every) + every) % every !== 0) continue;
    for (const multiple of multiples) {
      const value = Number((multiple * 10 ** power).toPrecision(12));
      if (Math.log10(value) >= low && Math.log10(value) <= high) ticks.push(value);
    }
  }
  return {
    at: (value) => (Math.log10(value) - low) / (high - low),
    // Within a decade (0.88..0.95) powers of ten miss the range: round values of it, placed by their log.
    ticks: ticks.length >= 2 ? ticks : niceTicks(10 ** low, 10 ** high).filter((value) => value > 0),
    log: true,
  };
}

/** Whether an axis of these values can be logarithmic: every value above zero. */
export const allPositive = (values: readonly number[]) => values.length > 0 && values.every((value) => value > 0);

/**
 * One param (x) against one metric (y), a point per run. Numeric params get a
 * linear or (`logX`, values above zero) log axis; other values are
 * categories, in sorted order. The metric's axis is linear or (`logY`) log.
 *
 * Drawn at the size it is shown, one SVG unit a CSS pixel: a fixed viewBox
 * scaled to the card made its labels 6 px tall on a phone and the rotated
 * metric name smaller still.
 */
export function ScatterPlot(props: {
  points: readonly ScatterPoint[];
  xLabel: string;
  yLabel: string;
  logX?: boolean;
  logY?: boolean;
}) {
  const figure = useRef<HTMLElement>(null);
  const width = useMeasuredWidth(figure, 240);
  const height = Math.round(Math.min(300, Math.max(220, width * 0.6)));
  const usable = props.points.filter((point) => point.x !== null && point.y !== null && Number.isFinite(point.y));
  if (usable.length === 0)
    return (
      <figure ref={figure} class="scatter" style={{ margin: 0 }}>
        <div class="empty">No run has both values.</div>
      </figure>
    );
  const numeric = scatterXIsNumeric(usable);
  const categories = numeric
    ? []
    : [...new Set(usable.map((point) => point.x as string))].sort((a, b) => a.localeCompare(b));
  const xs = usable.map((point) => (numeric ? Number(point.x) : categories.indexOf(point.x as string)));
  const ys = usable.map((point) => point.y as number);
  // A log axis is drawn only where every value is above zero (the checkbox says so when not).
  const xAxis: ScatterAxis = !numeric
    ? {
        at: (index) => (index + 0.5) / categories.length,
        ticks: categories.map((_, i) => i),
        log: false,
      }
    : props.logX && allPositive(xs)
      ? logAxis(xs)
      : linearAxis(xs);
  const yAxis = props.logY && allPositive(ys) ? logAxis(ys) : linearAxis(ys);
  const tickLabel = (axis: ScatterAxis, value: number) => (axis.log ? formatTick(value) : formatNumber(value));
  const yTicks = yAxis.ticks;
  // The y labels' room is as wide as the widest of them: "0.0001" needs more than "1".
  const widestTick = Math.max(...yTicks.map((y) => (textWidth(tickLabel(yAxis, y)) * tickFontSize) / bodyFontSize));
  const left = Math.ceil(yTitleRoom + widestTick + tickGap);
  const plotWidth = width - left - margin.right;
  // Axis titles at 12 px take about 7 px a character; a longer name is cut, whole in the tooltip.
  const xTitleChars = Math.floor(plotWidth / 7);
  const yTitleChars = Math.floor((height - margin.top - margin.bottom) / 7);
  // A category's label gets the room between two ticks (about 6.5 px a character at 11 px).
  const categoryChars = Math.max(4, Math.floor(plotWidth / Math.max(1, categories.length) / 6.5));
  const sx = (x: number) => left + xAxis.at(x) * plotWidth;
  const sy = (y: number) => height - margin.bottom - yAxis.at(y) * (height - margin.top - margin.bottom);
  const xTicks = xAxis.ticks;

  return (
    <figure ref={figure} class="scatter" style={{ margin: 0 }}>
      <svg
        width={width}
        height={height}
        viewBox={`0 0 ${width} ${height}`}
        role="img"
        aria-label={`Scatter plot of ${props.yLabel} against ${props.xLabel}, ${usable.length} runs`}
      >
        {yTicks.map((y) => (
          <g key={`y${y}`}>
            <line class="gridline" x1={left} x2={width - margin.right} y1={sy(y)} y2={sy(y)} />
            <text x={left - tickGap} y={sy(y) + 4} text-anchor="end">
              {tickLabel(yAxis, y)}
            </text>
          </g>
        ))}
        {xTicks.map((x) => (
          <text key={`x${x}`} x={sx(x)} y={height - margin.bottom + 18} text-anchor="middle">
            {numeric ? tickLabel(xAxis, x) : shorten(categories[x] ?? '', categoryChars)}
          </text>
        ))}
        <line
          class="axis-line"
          x1={left}
          x2={width - margin.right}
          y1={height - margin.bottom}
          y2={height - margin.bottom}
        />
        <line class="axis-line" x1={left} x2={left} y1={margin.top} y2={height - margin.bottom} />
        <text class="axis-title" x={left + plotWidth / 2} y={height - 6} text-anchor="middle">
          {shorten(props.xLabel, xTitleChars)}
          <title>{props.xLabel}</title>
        </text>
        <text
          class="axis-title"
          transform={`translate(15 ${(margin.top + height - margin.bottom) / 2}) rotate(-90)`}
          text-anchor="middle"
        >
          {shorten(props.yLabel, yTitleChars)}
          <title>{props.yLabel}</title>
        </text>
        {usable.map((point, index) => (
          <circle
            key={index}
            cx={sx(xs[index] as number)}
            cy={sy(ys[index] as number)}
            r={5.5}
            fill={point.color}
            fill-opacity={0.85}
            stroke="var(--surface)"
            stroke-width={1.5}
          >
            <title>
              {point.label}: {props.xLabel} = {point.x}, {props.yLabel} = {formatNumber(point.y)}
            </title>
          </circle>
        ))}
      </svg>
    </figure>
  );
}

/** Whether the points' x values (a param's, as text) are all numbers, so the axis is numeric. */
export const scatterXIsNumeric = (points: readonly ScatterPoint[]) =>
  points.every((point) => point.x !== null && point.x.trim() !== '' && Number.isFinite(Number(point.x)));

const shorten = (text: string, chars: number) => (text.length > chars ? `${text.slice(0, chars - 1)}…` : text);
