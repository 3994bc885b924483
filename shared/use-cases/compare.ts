import { textPayloadBytes } from '../domain/answer-size.ts';
import { ownValue } from '../domain/own.ts';
import type { LatestMetric, RunDetails } from '../domain/types.ts';
import { NotFoundError } from '../errors.ts';
import { limits } from '../limits.ts';
import type { RequestScope, TrackingDeps } from './deps.ts';

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
  /** Runs with a value in a param column left out of the answer for its size (their params' pages hold it). */
  paramsTruncated: ReadonlySet<string>;
  /** Runs with a value in a metric column left out of the answer for its size (their details hold it). */
  metricsTruncated: ReadonlySet<string>;
}

const sorted = (names: Iterable<string>) => [...new Set(names)].sort();

/**
 * Runs side by side (the seed's `compare_runs`): one row per run, one column per
 * metric (its latest value) and per param. Columns default to every metric and
 * param any of the runs has; `onlyDifferingParams` keeps the params whose value
 * (or absence) is not the same in every run. A run that is not in the caller's
 * workspace is a 404, like any run read.
 *
 * Every run answers a cell in every column, a value or null, so 100 runs of 1,000 metrics and
 * 10,000 params each, all different, would make a matrix of gigabytes: the columns end, in their
 * order, before they pass `limits.answerBytes` (as a search page ends), and a run with a value in a column
 * left out is named in `paramsTruncated` / `metricsTruncated`. A run not named has none there, so a
 * client that reads the named runs whole (their params' pages, their details) has every cell.
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
  const room = limits.answerBytes - answerFieldsBytes - runs.reduce((bytes, run) => bytes + runBytes(run), 0);
  const latest = runs.map((run) => new Map(run.metrics.map((metric) => [metric.key, metric])));
  // Metrics (the page's charts) first, in half the room, or in all that the params leave if they need less;
  // params in what the metrics leave.
  // A param column's cost is read by both fits: counted once.
  const paramCosts = new Map<string, number>();
  const paramBytes = (name: string) => {
    let bytes = paramCosts.get(name);
    if (bytes === undefined) paramCosts.set(name, (bytes = paramColumnBytes(name, runs)));
    return bytes;
  };
  const paramsInHalf = fittingColumns(paramNames, room / 2, paramBytes);
  const metricsRoom = paramsInHalf.count === paramNames.length ? room - paramsInHalf.bytes : room / 2;
  const metrics = fittingColumns(metricNames, metricsRoom, (name) => metricColumnBytes(name, latest));
  const params = fittingColumns(paramNames, room - metrics.bytes, paramBytes);
  const keptMetrics = metricNames.slice(0, metrics.count);
  const keptParams = paramNames.slice(0, params.count);
  return {
    metricNames: keptMetrics,
    paramNames: keptParams,
    runs,
    metricsTruncated: runsWithValuesLeftOut(
      runs,
      (run) => run.metrics.map((metric) => metric.key),
      metricNames,
      keptMetrics,
    ),
    paramsTruncated: runsWithValuesLeftOut(runs, (run) => Object.keys(run.params), paramNames, keptParams),
  };
}

/**
 * Payload bytes (the answer's JSON escaped again, shared/domain/answer-size.ts) of the view's parts
 * (shared/http/views.ts `comparisonView`): a cell's `:` and `,` besides its key, a number (a metric's
 * value or step: at most 24 characters), a `{"step":…,"min_step":…}`, a run's field names and flags,
 * the answer's own field names.
 */
const cellBytes = 2;
const numberBytes = 24;
const nullBytes = 4;
const stepsBytes = 80;
const runFieldsBytes = 256;
const answerFieldsBytes = 64;

const runBytes = (run: RunDetails) =>
  runFieldsBytes +
  textPayloadBytes(run.runId) +
  textPayloadBytes(run.runName) +
  textPayloadBytes(run.experimentId) +
  textPayloadBytes(run.status);

/**
 * What the view of `runs` over these columns takes in the payload at most: the sum the columns are cut
 * on (test/unit/compare-bytes.test.ts holds it to the view).
 */
export function comparisonBytes(
  runs: readonly RunDetails[],
  metricNames: readonly string[],
  paramNames: readonly string[],
): number {
  const latest = runs.map((run) => new Map(run.metrics.map((metric) => [metric.key, metric])));
  let bytes = answerFieldsBytes + runs.reduce((sum, run) => sum + runBytes(run), 0);
  for (const name of metricNames) bytes += metricColumnBytes(name, latest);
  for (const name of paramNames) bytes += paramColumnBytes(name, runs);
  return bytes;
}

/** A metric column: its name in `metric_names`, each run's latest value or null, and its steps if it has any. */
function metricColumnBytes(name: string, latest: readonly ReadonlyMap<string, LatestMetric>[]): number {
  const key = textPayloadBytes(name);
  let bytes = key + cellBytes;
  for (const metrics of latest) {
    bytes += key + cellBytes + numberBytes;
    if (metrics.has(name)) bytes += key + cellBytes + stepsBytes;
  }
  return bytes;
}

/** A param column: its name in `param_names`, and each run's value or null. */
function paramColumnBytes(name: string, runs: readonly RunDetails[]): number {
  const key = textPayloadBytes(name);
  let bytes = key + cellBytes;
  for (const run of runs) {
    const value = ownValue(run.params, name);
    bytes += key + cellBytes + (value === undefined ? nullBytes : textPayloadBytes(value));
  }
  return bytes;
}

/** How many of `names`, from the first, fit in `room` bytes (perhaps none), and what they take. */
function fittingColumns(
  names: readonly string[],
  room: number,
  bytesOf: (name: string) => number,
): { count: number; bytes: number } {
  let bytes = 0;
  for (let count = 0; count < names.length; count++) {
    const next = bytes + bytesOf(names[count] as string);
    if (next > room) return { count, bytes };
    bytes = next;
  }
  return { count: names.length, bytes };
}

/** The runs with a key among `columns` that is not among `kept`. */
function runsWithValuesLeftOut(
  runs: readonly RunDetails[],
  keysOf: (run: RunDetails) => readonly string[],
  columns: readonly string[],
  kept: readonly string[],
): Set<string> {
  const truncated = new Set<string>();
  if (kept.length === columns.length) return truncated;
  const leftOut = new Set(columns.slice(kept.length));
  for (const run of runs) if (keysOf(run).some((key) => leftOut.has(key))) truncated.add(run.runId);
  return truncated;
}
