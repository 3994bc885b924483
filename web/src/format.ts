import { numericValue, type WireValue } from './api/types.ts';

/** How values read in tables and legends: short, aligned, never "undefined". */

const dateTime = new Intl.DateTimeFormat(undefined, {
  year: 'numeric',
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
});
const dateTimeSeconds = new Intl.DateTimeFormat(undefined, {
  year: 'numeric',
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});
const timeOnly = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });

export const formatTime = (epochMs: number | undefined | null) =>
  epochMs === undefined || epochMs === null ? '—' : dateTime.format(epochMs);

/** To the second, where events a few seconds apart must read apart (alias moves). */
export const formatMoment = (epochMs: number | undefined | null) =>
  epochMs === undefined || epochMs === null ? '—' : dateTimeSeconds.format(epochMs);

export const formatClock = (epochMs: number) => timeOnly.format(epochMs);

const dayOnly = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric' });
const dayAndMinute = new Intl.DateTimeFormat(undefined, {
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
});
const minuteOnly = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const millisecond = new Intl.DateTimeFormat(undefined, {
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  fractionalSecondDigits: 3,
});

/**
 * A wall-time axis tick in the app's words ("Dec 2", "Dec 2, 01:02 PM", "01:02 PM", "01:02:29 PM"),
 * as precise as the ticks' spacing needs: uPlot's own read "12/2/26 1:02pm" and ":29.290".
 * `spanMs` is the axis's whole range: past a day each tick names its day.
 */
export function formatWallTick(epochMs: number, spacingMs: number, spanMs: number): string {
  if (spacingMs >= 86_400_000) return dayOnly.format(epochMs);
  if (spanMs >= 86_400_000) return dayAndMinute.format(epochMs);
  if (spacingMs >= 60_000) return minuteOnly.format(epochMs);
  if (spacingMs >= 1000) return timeOnly.format(epochMs);
  return millisecond.format(epochMs);
}

/**
 * "3 min ago", "yesterday" (exact time in the title attribute), with no-break
 * spaces: a narrow date column keeps it on one line, not "6 min" over "ago".
 */
export function formatAgo(epochMs: number | undefined | null, now = Date.now()) {
  return ago(epochMs, now).replaceAll(' ', '\u00a0');
}

function ago(epochMs: number | undefined | null, now: number) {
  if (epochMs === undefined || epochMs === null) return '—';
  const seconds = Math.round((now - epochMs) / 1000);
  if (seconds < 45) return 'just now';
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 24) return `${hours} h ago`;
  const days = Math.round(hours / 24);
  if (days < 2) return 'yesterday';
  if (days < 30) return `${days} days ago`;
  return dateTime.format(epochMs);
}

export function formatDuration(ms: number | undefined | null) {
  if (ms === undefined || ms === null || !Number.isFinite(ms)) return '—';
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 1 : 0)}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m ${String(Math.floor(seconds % 60)).padStart(2, '0')}s`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours}h ${String(minutes % 60).padStart(2, '0')}m`;
  return `${Math.floor(hours / 24)}d ${hours % 24}h`;
}

/** Metric values: up to 5 significant digits, scientific when very large or small. */
export function formatNumber(value: number | null | undefined) {
  if (value === null || value === undefined) return '—';
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? '∞' : '−∞';
  if (value === 0) return '0';
  const magnitude = Math.abs(value);
  if (magnitude >= 1e6 || magnitude < 1e-4) return value.toExponential(3);
  if (Number.isInteger(value)) return value.toLocaleString('en-US');
  return Number(value.toPrecision(5)).toString();
}

/**
 * Axis ticks: like formatNumber, but exponents as short as they go ("1.5e8",
 * "2.5e-5", not "1.500e+8"), so labels stay narrow and read at a glance.
 */
export function formatTick(value: number) {
  const magnitude = Math.abs(value);
  if (value !== 0 && Number.isFinite(value) && (magnitude >= 1e6 || magnitude < 1e-4)) {
    const [mantissa, exponent] = value.toExponential(3).split('e') as [string, string];
    return `${Number(mantissa)}e${Number(exponent)}`;
  }
  return formatNumber(value);
}

export const formatMetric = (value: WireValue | null | undefined) =>
  value === null || value === undefined ? '—' : formatNumber(numericValue(value));

/**
 * One format for a column of metric values: as many decimals as give its
 * largest value five significant digits, the same in every row, so 0.82 reads
 * 0.82000 under 0.95326 and digits line up by place (right-aligned, a trimmed
 * 0.82 put its 2 under the 3). Columns of whole numbers, of values from 1e6 up
 * or all below 0.001, and NaN, ±∞ or a value too small for the column's
 * decimals, keep formatNumber's own form.
 */
export function columnFormat(
  values: Iterable<WireValue | null | undefined>,
): (value: WireValue | null | undefined) => string {
  let largest = 0;
  let whole = true;
  for (const wire of values) {
    if (wire === null || wire === undefined) continue;
    const value = numericValue(wire);
    if (!Number.isFinite(value)) continue;
    largest = Math.max(largest, Math.abs(value));
    whole &&= Number.isInteger(value);
  }
  if (whole || largest >= 1e6 || largest < 1e-3) return formatMetric;
  const decimals = Math.min(6, Math.max(0, 4 - Math.floor(Math.log10(largest))));
  const fixed = new Intl.NumberFormat('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
  const smallest = 0.5 * 10 ** -decimals;
  return (wire) => {
    if (wire === null || wire === undefined) return '—';
    const value = numericValue(wire);
    if (!Number.isFinite(value) || Math.abs(value) >= 1e6 || (value !== 0 && Math.abs(value) < smallest))
      return formatNumber(value);
    return fixed.format(value);
  };
}

export function formatBytes(bytes: number) {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

export const shortId = (id: string) => id.slice(0, 8);
