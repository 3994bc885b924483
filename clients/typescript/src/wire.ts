/** JSON has no NaN or infinities: metric values travel as numbers or these strings. */
export type WireMetricValue = number | 'NaN' | 'Infinity' | '-Infinity';

export function encodeMetricValue(value: number): WireMetricValue {
  if (typeof value !== 'number') throw new TypeError(`a metric value must be a number, got ${typeof value}`);
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return 'Infinity';
  if (value === Number.NEGATIVE_INFINITY) return '-Infinity';
  return value;
}

export function decodeMetricValue(value: unknown): number {
  if (typeof value === 'number') return value;
  const text = String(value).toLowerCase();
  if (text === 'nan') return Number.NaN;
  if (text === 'infinity') return Number.POSITIVE_INFINITY;
  if (text === '-infinity') return Number.NEGATIVE_INFINITY;
  return Number(value);
}
