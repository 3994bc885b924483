import type { SearchedRun } from '../api/types.ts';

/** A row of the runs table: a run, how deep it is nested, and its loaded child runs. */
export interface NestedRow {
  run: SearchedRun;
  depth: number;
  /** Child runs among the loaded runs. */
  children: number;
  expanded: boolean;
}

/**
 * Child runs (MLflow's nested runs: a sweep's trials under the sweep) under
 * their parent, as MLflow's runs table shows them: a parent lists first and
 * its children follow it, indented, once it is expanded. Only loaded runs
 * nest: a child whose parent is not loaded (another page, filtered out) is a
 * top-level row. Order within each level is the order the API answered in.
 */
export function nestRuns(runs: readonly SearchedRun[], expanded: ReadonlySet<string>): NestedRow[] {
  const loaded = new Set(runs.map((run) => run.run_id));
  const childrenOf = new Map<string, SearchedRun[]>();
  const topLevel: SearchedRun[] = [];
  for (const run of runs) {
    const parent = run.parent_run_id;
    if (parent && parent !== run.run_id && loaded.has(parent)) {
      const siblings = childrenOf.get(parent);
      if (siblings) siblings.push(run);
      else childrenOf.set(parent, [run]);
    } else topLevel.push(run);
  }
  // Runs whose parent ids form a loop (ids come from tags a client can write) have no top-level
  // ancestor: the first of each loop becomes a top-level row, so no run is lost.
  const reached = new Set<string>();
  const reach = (run: SearchedRun) => {
    if (reached.has(run.run_id)) return;
    reached.add(run.run_id);
    for (const child of childrenOf.get(run.run_id) ?? []) reach(child);
  };
  topLevel.forEach(reach);
  for (const run of runs)
    if (!reached.has(run.run_id)) {
      topLevel.push(run);
      reach(run);
    }

  const rows: NestedRow[] = [];
  const placed = new Set<string>();
  const place = (run: SearchedRun, depth: number) => {
    if (placed.has(run.run_id)) return;
    placed.add(run.run_id);
    const children = childrenOf.get(run.run_id) ?? [];
    const open = children.length > 0 && expanded.has(run.run_id);
    rows.push({ run, depth, children: children.length, expanded: open });
    if (open) for (const child of children) place(child, depth + 1);
  };
  for (const run of topLevel) place(run, 0);
  return rows;
}

/** Every run as a top-level row, for views ordered or filtered by the user, where nesting would hide matches. */
export const flatRows = (runs: readonly SearchedRun[]): NestedRow[] =>
  runs.map((run) => ({ run, depth: 0, children: 0, expanded: false }));
