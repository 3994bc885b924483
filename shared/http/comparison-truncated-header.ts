import type { RunComparison } from '../use-cases/compare.ts';

/** Says which columns a comparison cut, for the CSV, whose cells cannot carry the JSON answer's flags. */
export const comparisonTruncatedHeader = 'x-stratus-comparison-truncated';

/** The header naming the kinds of column a comparison cut, when it cut any. */
export function comparisonTruncatedHeaders(comparison: RunComparison): Record<string, string> {
  const kinds = [
    ...(comparison.paramsTruncated.size > 0 ? ['params'] : []),
    ...(comparison.metricsTruncated.size > 0 ? ['metrics'] : []),
  ];
  return kinds.length > 0 ? { [comparisonTruncatedHeader]: kinds.join(', ') } : {};
}
