/** Small statistics helpers for the benchmarks. */
export function percentile(sortedOrUnsorted: readonly number[], p: number): number {
  if (sortedOrUnsorted.length === 0) return Number.NaN;
  const sorted = [...sortedOrUnsorted].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] as number;
}

/** The `x-stratus-consumed-capacity` header as numbers. */
export function consumedCapacity(response: Response): { read: number; write: number } {
  const header = response.headers.get('x-stratus-consumed-capacity') ?? '';
  return {
    read: Number(/read=([\d.]+)/.exec(header)?.[1] ?? Number.NaN),
    write: Number(/write=([\d.]+)/.exec(header)?.[1] ?? Number.NaN),
  };
}

export const round = (value: number, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;
