import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Sums the DynamoDB capacity consumed while serving one request. The handler
 * factory opens a meter per invocation; the client middleware adds every
 * response's ConsumedCapacity to whichever meter is current. The figures are
 * returned in a response header so that benchmarks and curious users can see
 * what each call costs.
 */
export interface CapacityTotals {
  readUnits: number;
  writeUnits: number;
}

const storage = new AsyncLocalStorage<CapacityTotals>();

/** Runs `work` with `totals` (a fresh meter unless given, so a caller can read it even when `work` throws). */
export function withCapacityMeter<T>(
  work: () => Promise<T>,
  totals: CapacityTotals = { readUnits: 0, writeUnits: 0 },
): Promise<{ result: T; capacity: CapacityTotals }> {
  return storage.run(totals, async () => ({ result: await work(), capacity: totals }));
}

interface ConsumedCapacityLike {
  CapacityUnits?: number;
}

/** Adds one response's consumed capacity (table and indexes) to the current meter. */
export function recordConsumedCapacity(
  kind: 'read' | 'write',
  consumed: ConsumedCapacityLike | ConsumedCapacityLike[] | undefined,
) {
  const totals = storage.getStore();
  if (!totals || !consumed) return;
  for (const entry of Array.isArray(consumed) ? consumed : [consumed]) {
    if (kind === 'read') totals.readUnits += entry.CapacityUnits ?? 0;
    else totals.writeUnits += entry.CapacityUnits ?? 0;
  }
}
