/**
 * JSON has no literal for NaN or ±Infinity. On the wire Stratus writes them as
 * the strings "NaN", "Infinity" and "-Infinity", and accepts those strings (any
 * case) wherever a metric value is expected. Every finite value is a plain number.
 */
export type WireMetricValue = number | 'NaN' | 'Infinity' | '-Infinity';

const nonFinite: Record<string, number> = {
  nan: Number.NaN,
  infinity: Number.POSITIVE_INFINITY,
  '+infinity': Number.POSITIVE_INFINITY,
  inf: Number.POSITIVE_INFINITY,
  '-infinity': Number.NEGATIVE_INFINITY,
  '-inf': Number.NEGATIVE_INFINITY,
};

/** The number a wire string stands for, or undefined when it is not one of the spellings. */
export function parseNonFiniteValue(text: string): number | undefined {
  return nonFinite[text.trim().toLowerCase()];
}

export function toWireMetricValue(value: number): WireMetricValue {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return 'Infinity';
  if (value === Number.NEGATIVE_INFINITY) return '-Infinity';
  return value;
}
