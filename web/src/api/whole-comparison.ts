import { api, unwrap } from './client.ts';
import { completedComparison } from './completed-comparison.ts';
import { readRunEntries, recordOf } from './run-entries.ts';
import type { Comparison, RunDetails } from './types.ts';

/**
 * A comparison with every column. The server ends its columns before its answer would outgrow a
 * function's 6 MB and marks each run with a value past them (`params_truncated`, `metrics_truncated`);
 * a run not marked has none there. So reading the marked runs whole (their params' pages, their
 * details, which hold every metric's latest point) gives every cell: the marked runs' rows are
 * replaced by what was read, the others keep theirs, absent meaning null as in the answer.
 */
export async function wholeComparison(answer: Comparison, signal?: AbortSignal): Promise<Comparison> {
  const params = new Map<string, Record<string, string>>();
  const metrics = new Map<string, RunDetails['metrics']>();
  const reads = answer.runs.flatMap((run) => [
    // Read whole, from the first page (the row holds nulls for absent columns, not a page), sharing the
    // run page's last whole list of the run (run-entries.ts).
    ...(run.params_truncated
      ? [async () => params.set(run.run_id, recordOf(await readRunEntries(run.run_id, 'params', {})))]
      : []),
    ...(run.metrics_truncated ? [async () => metrics.set(run.run_id, await allMetrics(run.run_id, signal))] : []),
  ]);
  if (reads.length === 0) return answer;
  await inTurns(reads, concurrentReads);
  return completedComparison(answer, params, metrics);
}

/** As many reads at once as a browser keeps connections to one host, less one for the page's own. */
const concurrentReads = 4;

async function allMetrics(runId: string, signal: AbortSignal | undefined): Promise<RunDetails['metrics']> {
  return unwrap(await api.GET('/api/v1/runs/{run_id}', { params: { path: { run_id: runId } }, signal })).metrics;
}

async function inTurns(tasks: readonly (() => Promise<unknown>)[], width: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    for (let task = tasks[next++]; task; task = tasks[next++]) await task();
  };
  await Promise.all(Array.from({ length: Math.min(width, tasks.length) }, worker));
}
