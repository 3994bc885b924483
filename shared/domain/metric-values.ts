/**
 * JSON has no literal for NaN or ±Infinity. On the wire Stratus writes them as
 * the strings "NaN", "Infinity" and "-Infinity", and accepts exactly those three
 * words, in any letter case (README, "Semantics"), wherever a metric value is
 * expected: no other spelling (`inf`, `+Infinity`, surrounding blanks), and any
 * other string is a 400. Every finite value is a plain number.
 */
export type WireMetricValue = number | 'NaN' | 'Infinity' | '-Infinity';

// A Map: a plain object would answer `constructor` or `__proto__` with what it inherits.
const nonFinite = new Map<string, number>([
  ['nan', Number.NaN],
  ['infinity', Number.POSITIVE_INFINITY],
  ['-infinity', Number.NEGATIVE_INFINITY],
]);

/** The number a wire string stands for, or undefined when it is not one of the three words. */
export function parseNonFiniteValue(text: string): number | undefined {
  return nonFinite.get(text.toLowerCase());
}

export function toWireMetricValue(value: number): WireMetricValue {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return 'Infinity';
  if (value === Number.NEGATIVE_INFINITY) return '-Infinity';
  return value;
}
