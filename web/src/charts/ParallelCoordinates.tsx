import { useRef, useState } from 'preact/hooks';
import { useMeasuredWidth } from '../hooks.ts';
import { formatNumber, formatTick } from '../format.ts';
import { allPositive, linearAxis, logAxis, type ScatterAxis } from './ScatterPlot.tsx';

/** One vertical axis: a param or the metric, with each run's value (null: the run has none). */
export interface ParallelAxis {
  name: string;
  values: ReadonlyArray<string | number | null>;
  /** Whether a log scale may be chosen for it (params swept in multiples; a metric keeps a linear one). */
  mayBeLog?: boolean;
}

export interface ParallelRun {
  label: string;
  color: string;
}

const height = 320;
const margin = { top: 44, bottom: 28, side: 64 };
/** On a phone: less room beside the outer axes, for more between them. */
const narrowSide = 44;
/** At most this many category labels on an axis (11 px text needs about 16 px a line). */
const maxCategoryLabels = Math.floor((height - margin.top - margin.bottom) / 16);

interface Scale {
  /** Where a value sits on the axis, 0 (bottom) to 1 (top); undefined when the run has none. */
  at: (value: string | number | null) => number | undefined;
  ticks: Array<{ position: number; label: string; full: string }>;
}

/** A numeric axis when every value given reads as a number (params are text), else sorted categories. */
function scaleOf(values: ReadonlyArray<string | number | null>, mayBeLog: boolean): Scale {
  const given = values.filter((value): value is string | number => !missing(value));
  const numbers = given.map(Number);
  if (given.length > 0 && numbers.every(Number.isFinite)) {
    // A sweep's learning rates (3e-4, 1e-3, 3e-3, 1e-2) would pile up at the bottom of a linear axis:
    // the scale that keeps the distinct values furthest apart is the one drawn.
    const linear = linearAxis(numbers);
    const log = mayBeLog && allPositive(numbers) ? logAxis(numbers) : undefined;
    const spread = log !== undefined && smallestGap(numbers, log) > smallestGap(numbers, linear);
    const axis: ScatterAxis = spread ? log : linear;
    return {
      at: (value) => (missing(value) ? undefined : axis.at(Number(value))),
      ticks: axis.ticks
        .filter((tick) => axis.at(tick) >= 0 && axis.at(tick) <= 1)
        .map((tick) => ({
          position: axis.at(tick),
          label: (spread ? formatTick : formatNumber)(tick),
          full: String(tick),
        })),
    };
  }
  const categories = [...new Set(given.map(String))].sort((a, b) => a.localeCompare(b));
  const place = (index: number) => (index + 0.5) / categories.length;
  const every = Math.ceil(categories.length / maxCategoryLabels);
  return {
    at: (value) => {
      const index = missing(value) ? -1 : categories.indexOf(String(value));
      return index < 0 ? undefined : place(index);
    },
    ticks: categories
      .map((category, index) => ({ position: place(index), label: shorten(category, 10), full: category }))
      .filter((_, index) => index % every === 0),
  };
}

/**
 * Several params and one metric side by side, a line per run across their
 * axes (MLflow's and W&B's parallel coordinates): in a sweep, the settings
 * that lead to a good value are the lines that end high. Numeric params get a
 * linear axis, others their values in sorted order; a run without a value on an
 * axis has its line broken there. Pointing at a line brings it forward and
 * names its run.
 *
 * Drawn at its measured width, one SVG unit a CSS pixel, as the scatter plot is.
 */
export function ParallelCoordinates(props: { axes: readonly ParallelAxis[]; runs: readonly ParallelRun[] }) {
  const figure = useRef<HTMLElement>(null);
  const width = useMeasuredWidth(figure, 280);
  const [pointed, setPointed] = useState<number | undefined>(undefined);
  const scales = props.axes.map((axis) => scaleOf(axis.values, axis.mayBeLog === true));
  const side = width < 480 ? narrowSide : margin.side;
  const spacing = (width - 2 * side) / Math.max(1, props.axes.length - 1);
  const ax = (index: number) => (props.axes.length === 1 ? width / 2 : side + index * spacing);
  const ay = (position: number) => height - margin.bottom - position * (height - margin.top - margin.bottom);
  // An axis name gets the room between two axes (12 px bold: about 7.5 px a character). Where that is
  // short of the longest name (a phone: "batch…", "optim…" ran into "accur…"), the names take turns
  // on two lines, each with the room of two axes.
  const longest = Math.max(...props.axes.map((axis) => axis.name.length));
  const staggered = props.axes.length > 2 && longest * 7.5 > spacing;
  const nameRoom = staggered ? 2 * spacing - 8 : Math.min(spacing, 2 * side);
  const nameChars = Math.max(6, Math.floor(nameRoom / 7.5));
  const titleY = (index: number) => (staggered && index % 2 === 0 ? margin.top - 28 : margin.top - 12);
  const lines = props.runs.map((run, runIndex) => {
    let path = '';
    let drawing = false;
    const described: string[] = [];
    props.axes.forEach((axis, axisIndex) => {
      const value = axis.values[runIndex] ?? null;
      const position = scales[axisIndex]?.at(value);
      described.push(`${axis.name} = ${value === null ? 'none' : formatValue(value)}`);
      if (position === undefined) {
        drawing = false;
        return;
      }
      path += `${drawing ? 'L' : 'M'}${ax(axisIndex).toFixed(1)} ${ay(position).toFixed(1)}`;
      drawing = true;
    });
    return { run, path, title: `${run.label}: ${described.join(', ')}` };
  });
  const order = lines.map((_, index) => index).filter((index) => index !== pointed);
  if (pointed !== undefined) order.push(pointed);
  const metric = props.axes[props.axes.length - 1]?.name ?? '';

  return (
    <figure ref={figure} class="scatter parallel" style={{ margin: 0 }}>
      <svg
        width={width}
        height={height}
        viewBox={`0 0 ${width} ${height}`}
        role="img"
        aria-label={`Parallel coordinates of ${props.axes.length - 1} params and ${metric}, ${props.runs.length} runs`}
        onMouseLeave={() => setPointed(undefined)}
      >
        {props.axes.map((axis, index) => (
          <g key={index} class="parallel-axis">
            <line class="axis-line" x1={ax(index)} x2={ax(index)} y1={margin.top} y2={height - margin.bottom} />
            <text class="axis-title" x={ax(index)} y={titleY(index)} text-anchor="middle">
              {shorten(axis.name, nameChars)}
              <title>{axis.name}</title>
            </text>
          </g>
        ))}
        {order.map((index) => {
          const line = lines[index];
          if (!line || line.path === '') return null;
          const faded = pointed !== undefined && pointed !== index;
          return (
            <path
              key={index}
              class="parallel-line"
              data-run={line.run.label}
              d={line.path}
              fill="none"
              stroke={line.run.color}
              stroke-width={pointed === index ? 3.5 : 2}
              stroke-opacity={faded ? 0.2 : 0.9}
              stroke-linejoin="round"
              onMouseEnter={() => setPointed(index)}
            >
              <title>{line.title}</title>
            </path>
          );
        })}
        {/* Over the lines, on a halo of the card's colour (styles.css), so that they stay readable. */}
        {scales.map((scale, index) =>
          scale.ticks.map((tick) => (
            <text
              key={`${index}:${tick.full}`}
              class="tick"
              x={ax(index) - 6}
              y={ay(tick.position) + 4}
              text-anchor="end"
            >
              {tick.label}
              {tick.label !== tick.full && <title>{tick.full}</title>}
            </text>
          )),
        )}
      </svg>
      <figcaption class="muted" aria-live="polite">
        {pointed !== undefined ? lines[pointed]?.title : 'Point at a line to name its run.'}
      </figcaption>
    </figure>
  );
}

/** The smallest distance, 0 to 1 of the axis, between two distinct values (1 with fewer than three). */
function smallestGap(values: readonly number[], axis: ScatterAxis): number {
  const positions = [...new Set(values)].map(axis.at).sort((a, b) => a - b);
  if (positions.length < 3) return 1;
  return Math.min(...positions.slice(1).map((position, index) => position - (positions[index] as number)));
}

/** No value to place: none logged, an empty param, or a metric that is NaN or infinite (its line breaks there). */
const missing = (value: string | number | null): boolean =>
  value === null || (typeof value === 'number' ? !Number.isFinite(value) : value.trim() === '');

// A param of thousands of characters is named by its start: the params table holds it whole.
const formatValue = (value: string | number) => (typeof value === 'number' ? formatNumber(value) : shorten(value, 60));

const shorten = (text: string, chars: number) => (text.length > chars ? `${text.slice(0, chars - 1)}…` : text);
