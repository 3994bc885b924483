import { formatNumber } from '../format.ts';

export interface ScatterPoint {
  label: string;
  color: string;
  x: string | null;
  y: number | null;
}

const width = 640;
const height = 300;
const margin = { left: 64, right: 20, top: 16, bottom: 44 };

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

/**
 * One param (x) against one metric (y), a point per run. Numeric params get a
 * linear axis; other values are categories, in sorted order.
 */
export function ScatterPlot(props: { points: readonly ScatterPoint[]; xLabel: string; yLabel: string }) {
  const usable = props.points.filter((point) => point.x !== null && point.y !== null && Number.isFinite(point.y));
  if (usable.length === 0) return <div class="empty">No run has both values.</div>;
  const numeric = usable.every(
    (point) => point.x !== null && point.x.trim() !== '' && Number.isFinite(Number(point.x)),
  );
  const categories = numeric
    ? []
    : [...new Set(usable.map((point) => point.x as string))].sort((a, b) => a.localeCompare(b));
  const xs = usable.map((point) => (numeric ? Number(point.x) : categories.indexOf(point.x as string)));
  const ys = usable.map((point) => point.y as number);
  const pad = (min: number, max: number) =>
    min === max ? [min - 1, max + 1] : [min - (max - min) * 0.06, max + (max - min) * 0.06];
  const [xMin, xMax] = numeric ? pad(Math.min(...xs), Math.max(...xs)) : [-0.5, categories.length - 0.5];
  const [yMin, yMax] = pad(Math.min(...ys), Math.max(...ys));
  const sx = (x: number) =>
    margin.left +
    ((x - (xMin as number)) / ((xMax as number) - (xMin as number))) * (width - margin.left - margin.right);
  const sy = (y: number) =>
    height -
    margin.bottom -
    ((y - (yMin as number)) / ((yMax as number) - (yMin as number))) * (height - margin.top - margin.bottom);
  const xTicks = numeric ? niceTicks(xMin as number, xMax as number) : categories.map((_, i) => i);

  return (
    <figure class="scatter" style={{ margin: 0 }}>
      <svg
        viewBox={`0 0 ${width} ${height}`}
        role="img"
        aria-label={`Scatter plot of ${props.yLabel} against ${props.xLabel}, ${usable.length} runs`}
      >
        {niceTicks(yMin as number, yMax as number).map((y) => (
          <g key={`y${y}`}>
            <line class="gridline" x1={margin.left} x2={width - margin.right} y1={sy(y)} y2={sy(y)} />
            <text x={margin.left - 8} y={sy(y) + 4} text-anchor="end">
              {formatNumber(y)}
            </text>
          </g>
        ))}
        {xTicks.map((x) => (
          <text key={`x${x}`} x={sx(x)} y={height - margin.bottom + 18} text-anchor="middle">
            {numeric ? formatNumber(x) : (categories[x] ?? '').slice(0, 14)}
          </text>
        ))}
        <line
          class="axis-line"
          x1={margin.left}
          x2={width - margin.right}
          y1={height - margin.bottom}
          y2={height - margin.bottom}
        />
        <line class="axis-line" x1={margin.left} x2={margin.left} y1={margin.top} y2={height - margin.bottom} />
        <text x={(margin.left + width - margin.right) / 2} y={height - 6} text-anchor="middle">
          {props.xLabel}
        </text>
        <text transform={`translate(14 ${(margin.top + height - margin.bottom) / 2}) rotate(-90)`} text-anchor="middle">
          {props.yLabel}
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
