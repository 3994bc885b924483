import type { RunDetails } from '../domain/types.ts';
import { NotFoundError } from '../errors.ts';
import type { RequestScope, TrackingDeps } from './deps.ts';
import { ownValue } from '../domain/own.ts';

export interface CompareRunsInput {
  runIds: readonly string[];
  metricNames?: readonly string[] | undefined;
  paramNames?: readonly string[] | undefined;
  onlyDifferingParams?: boolean | undefined;
}

export interface RunComparison {
  metricNames: string[];
  paramNames: string[];
  /** In the order asked for, each once. */
  runs: RunDetails[];
}

const sorted = (names: Iterable<string>) => [...new Set(names)].sort();

/**
 * Runs side by side (the seed's `compare_runs`): one row per run, one column per
 * metric (its latest value) and per param. Columns default to every metric and
 * param any of the runs has; `onlyDifferingParams` keeps the params whose value
 * (or absence) is not the same in every run. A run that is not in the caller's
 * workspace is a 404, like any run read.
 */
export async function compareRuns(
  scope: RequestScope,
  input: CompareRunsInput,
  deps: Pick<TrackingDeps, 'search'>,
): Promise<RunComparison> {
  const runIds = [...new Set(input.runIds)];
  const details = await deps.search.loadDetails(scope.workspace, runIds, new Map(), true);
  const runs = runIds.map((runId) => {
    const run = details.get(runId);
    if (!run) throw new NotFoundError('run', runId);
    return run;
  });
  const metricNames = input.metricNames
    ? [...new Set(input.metricNames)]
    : sorted(runs.flatMap((run) => run.metrics.map((metric) => metric.key)));
  let paramNames = input.paramNames
    ? [...new Set(input.paramNames)]
    : sorted(runs.flatMap((run) => Object.keys(run.params)));
  if (input.onlyDifferingParams) {
    paramNames = paramNames.filter((name) => new Set(runs.map((run) => ownValue(run.params, name) ?? null)).size > 1);
  }
  return { metricNames, paramNames, runs };
}
