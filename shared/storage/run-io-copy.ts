import type { DatasetInput, ModelOutput, RunIo, SearchedRunIo } from '../domain/logged-models.ts';
import { layoutBudgets } from './run-layout.ts';

/**
 * The copy of a run's datasets and outputs (what MLflow's search answers of its IO) kept on its run
 * item, which every search reads anyway, so that a search page need not Query each run's IO
 * partition. The items stay the record (get_run reads them); the copy is a cache, trusted only
 * when it was made for the run's latest IO write:
 *
 * - `ioVersion` counts IO writes: each adds one *before* its items, so from then on the copy no
 *   longer matches and search reads the partition (a write that fails halfway leaves items that
 *   search still answers, as get_run does).
 * - After its items, the write reads the partition (strongly consistent) and keeps the copy with
 *   `ioCopyVersion` = its version, on condition that no IO write began meanwhile. If one did, it
 *   may have read the partition before these items landed: this write begins again (a new
 *   version, after its items) and reads again, so the copy that ends up trusted was read after
 *   every write before it had landed (run-io.ts, beginRunIoWrite and keepRunIoCopy).
 * - A copy past `layoutBudgets.ioCopy` is not kept (a run may log many datasets, and large schemas):
 *   search reads such a run's partition, as before copies. Nor do runs from before copies have one,
 *   until their next IO write.
 */

/** The run item's attributes of the copy. */
export interface RunIoCopyAttributes {
  ioVersion?: number;
  ioCopy?: string;
  ioCopyVersion?: number;
}

/** The copy of what search answers of `io`, as JSON, or undefined when it is past its budget. */
export function encodeRunIoCopy(io: RunIo): string | undefined {
  const copy: SearchedRunIo = { datasets: io.datasets, outputs: io.outputs };
  const json = JSON.stringify(copy);
  return Buffer.byteLength(json, 'utf8') > layoutBudgets.ioCopy ? undefined : json;
}

/** The run item's copy of its datasets and outputs, when it is current (made for its latest IO write). */
export function currentRunIoCopy(item: RunIoCopyAttributes): SearchedRunIo | undefined {
  if (item.ioCopy === undefined || item.ioVersion === undefined || item.ioCopyVersion !== item.ioVersion) {
    return undefined;
  }
  const parsed = JSON.parse(item.ioCopy) as { datasets: DatasetInput[]; outputs: ModelOutput[] };
  return {
    // Tags as a null-prototype map, as read from the items (any key, `__proto__` included, is just a key).
    datasets: parsed.datasets.map((dataset) => ({
      ...dataset,
      tags: Object.assign(Object.create(null) as Record<string, string>, dataset.tags),
    })),
    outputs: parsed.outputs,
  };
}
