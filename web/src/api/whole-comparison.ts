import { api, unwrap } from './client.ts';
import { completedComparison } from './completed-comparison.ts';
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
    ...(run.params_truncated ? [async () => params.set(run.run_id, await allParams(run.run_id, signal))] : []),
    ...(run.metrics_truncated ? [async () => metrics.set(run.run_id, await allMetrics(run.run_id, signal))] : []),
  ]);
  if (reads.length === 0) return answer;
  await inTurns(reads, concurrentReads);
  return completedComparison(answer, params, metrics);
}

/** As many reads at once as a browser keeps connections to one host, less one for the page's own. */
const concurrentReads = 4;
/** The params route's largest page. */
const pageSize = 1000;

async function allParams(runId: string, signal: AbortSignal | undefined): Promise<Record<string, string>> {
  const params: Record<string, string> = Object.create(null);
  let token: string | undefined;
  do {
    const query = { max_results: pageSize, ...(token ? { page_token: token } : {}) };
    const page = unwrap(
      await api.GET('/api/v1/runs/{run_id}/params', { params: { path: { run_id: runId }, query }, signal }),
    );
    for (const [key, value] of Object.entries(page.params)) params[key] = value;
    token = page.next_page_token;
  } while (token !== undefined);
  return params;
}

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
