import type { MetricPoint } from '../domain/metric-chunk.ts';
import {
  type Page,
  type Pipeline,
  type Run,
  type RunDetails,
  type RunStatus,
  runStage,
  type Tags,
  type TerminalRunStatus,
  type ViewType,
} from '../domain/types.ts';
import { NotFoundError, ValidationError } from '../errors.ts';
import { namedId } from '../ids.ts';
import { entryParamDigests } from '../storage/run-items.ts';
import { fromStoredLatest, type RunReader } from '../storage/run-reader.ts';
import type { StoredMetricEntry } from '../storage/run-repository.ts';
import { storedValueNumber } from '../storage/stored-value.ts';
import type { RequestScope, RunCreateDeps, TrackingDeps } from './deps.ts';
import { addMetric } from '../observability/metrics.ts';
import { ensureExperiment, getExperiment } from './experiments.ts';
import {
  batchIdOf,
  firstEntry,
  groupPoints,
  logBatch,
  type MetricInput,
  requireNotDeleted,
  requireWritable,
} from './log-batch.ts';
import { maintainRollups, sealAtRunEnd } from './rollups.ts';
import { ROLLUP_BLOCK_STEPS } from '../domain/rollup.ts';

export interface StartRunInput {
  runName?: string | undefined;
  tags?: Tags | undefined;
  parentRunId?: string | undefined;
  gitCommit?: string | undefined;
  codeVersion?: string | undefined;
  pipeline?: Pipeline | undefined;
  /** The run's first params and metric points, written with it (one request instead of three). */
  params?: Record<string, string> | undefined;
  metrics?: readonly MetricInput[] | undefined;
  /** Names the first metric points, as a log-metrics request's key does (see logBatch). */
  idempotencyKey?: string | undefined;
  /** When the job says it started (epoch ms; MLflow's client sends its own clock); the service's clock otherwise. */
  startTime?: number | undefined;
  /** A run that only holds something (a logged model's files) is FINISHED as it starts. */
  finished?: boolean | undefined;
}

/** Starts a RUNNING run in an existing experiment (or MLflow's default one, created on first use). */
export async function startRun(
  scope: RequestScope,
  experimentId: string,
  input: StartRunInput,
  deps: RunCreateDeps,
): Promise<RunDetails> {
  return createRun(scope, experimentId, input, deps);
}

/** Starts a run in the experiment with this name, creating the experiment if needed. */
export async function startRunInExperimentNamed(
  scope: RequestScope,
  experimentName: string,
  input: StartRunInput,
  deps: RunCreateDeps,
): Promise<RunDetails> {
  const experiment = await ensureExperiment(scope, experimentName, deps);
  return createRun(scope, experiment.experimentId, input, deps);
}

/**
 * Writes a RUNNING run with its first tags, params and metric points, in
 * three writes one after the other: the experiment's run count (which checks
 * that the experiment exists: no read before it), one BatchWriteItem with the
 * values item, metric chunks and every index entry, and the run item last, so
 * the run appears whole or not at all (RunRepository.create). A run that
 * fails to be written is taken off the count again.
 */
async function createRun(
  scope: RequestScope,
  experimentId: string,
  input: StartRunInput,
  deps: RunCreateDeps,
): Promise<RunDetails> {
  if (input.parentRunId) {
    const parent = await deps.runs.get(scope.workspace, input.parentRunId);
    if (!parent) throw new NotFoundError('parent_run', input.parentRunId);
  }
  const runId =
    input.idempotencyKey === undefined
      ? deps.newId()
      : namedId(JSON.stringify(['run', scope.workspace, experimentId, input.idempotencyKey]));
  // A keyed create retried after a lost answer: the run the first one made is its answer.
  const made = input.idempotencyKey === undefined ? undefined : await deps.runs.getDetails(scope.workspace, runId);
  if (made) return made;
  const now = deps.clock.now();
  const run: Run = {
    runId,
    experimentId,
    // Like MLflow, a run without a name gets a readable one rather than none.
    runName: input.runName ?? `run-${runId.slice(0, 8)}`,
    status: input.finished ? 'FINISHED' : 'RUNNING',
    startTime: input.startTime ?? now,
    endTime: input.finished ? (input.startTime ?? now) : undefined,
    tags: input.tags ?? {},
    parentRunId: input.parentRunId,
    gitCommit: input.gitCommit,
    codeVersion: input.codeVersion,
    pipeline: input.pipeline,
    lifecycleStage: 'active',
  };
  const batchId = batchIdOf(input.idempotencyKey, input.metrics, deps.newId);
  const entries = new Map<string, StoredMetricEntry>();
  const chunked = new Map<string, MetricPoint[]>();
  for (const [key, points] of groupPoints(input.metrics ?? [], now)) {
    const { entry, inline } = firstEntry(points, batchId);
    entries.set(key, entry);
    if (!inline) chunked.set(key, points);
  }
  const params = new Map(Object.entries(input.params ?? {}));
  // A new run's params are all here: its entries carry them.
  const entryParams = entryParamDigests(params);
  const [runNumber, slots] = await Promise.all([
    countRunStart(scope, experimentId, run.startTime, deps),
    deps.metricSlots.assign(scope.workspace, experimentId, [...entries.keys()]),
  ]);
  for (const [key, slot] of slots) (entries.get(key) as StoredMetricEntry).x = slot;
  // Keys with a slot are indexed on the item holding their entry; the others by index items of their own.
  const alsoFirst = deps.metrics.chunkAndIndexItems(scope.workspace, runId, batchId, chunked, {
    experimentId,
    latest: [...entries].flatMap(([key, entry]) => (entry.x === undefined ? [[key, storedValueNumber(entry.v)]] : [])),
    params: entryParams,
  });
  let pages: Map<string, number>;
  try {
    ({ pages } = await deps.runs.create(scope.workspace, run, {
      params,
      metrics: entries,
      alsoFirst,
      runNumber,
      entryParams,
    }));
  } catch (error) {
    await deps.experiments.forgetRunStarted(scope.workspace, experimentId).catch(() => undefined);
    // The same key's create, racing this one, made the run first: its run is this request's answer.
    const raced = input.idempotencyKey !== undefined && (await deps.runs.getDetails(scope.workspace, runId));
    if (raced) return raced;
    throw error;
  }
  await Promise.all(
    [...entries]
      .filter(([, entry]) => entry.s - entry.f >= 2 * ROLLUP_BLOCK_STEPS)
      .map(([key, entry]) => maintainRollups(scope, runId, key, { entry, page: pages.get(key) ?? 0 }, deps)),
  );
  if (input.metrics?.length) addMetric('PointsIngested', input.metrics.length);
  const metrics = [...entries]
    .map(([key, entry]) => fromStoredLatest(key, entry))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return { ...run, params: Object.fromEntries(params), metrics };
}

/**
 * Counts the run in its experiment and answers its number there; 404 when
 * there is no such experiment (MLflow's default is created).
 */
async function countRunStart(
  scope: RequestScope,
  experimentId: string,
  startTime: number,
  deps: RunCreateDeps,
): Promise<number> {
  const counted = await deps.experiments.recordRunStarted(scope.workspace, experimentId, startTime);
  if (counted !== undefined) return counted;
  await getExperiment(scope, experimentId, deps);
  const again = await deps.experiments.recordRunStarted(scope.workspace, experimentId, startTime);
  if (again !== undefined) return again;
  throw new NotFoundError('experiment', experimentId);
}

/** The run with its params and latest metrics, and deleted if its experiment is (runStage). */
export async function getRun(
  scope: RequestScope,
  runId: string,
  deps: { runs: Pick<RunReader, 'getDetails' | 'experimentStage'> },
): Promise<RunDetails> {
  const run = await deps.runs.getDetails(scope.workspace, runId);
  if (!run) throw new NotFoundError('run', runId);
  if (run.lifecycleStage === 'deleted') return run;
  const stage = runStage(run.lifecycleStage, await deps.runs.experimentStage(scope.workspace, run.experimentId));
  return stage === run.lifecycleStage ? run : { ...run, lifecycleStage: stage };
}

export interface EndRunInput {
  status: TerminalRunStatus;
  endTime?: number | undefined;
}

/**
 * Ends a run; a retry with the same status is harmless, a different one
 * conflicts. Its metrics' rollups are then sealed to the end (a retry seals
 * what a failed one left).
 */
/** A run's end_time may not come before its start_time, whichever route sets it. */
export function requireEndAfterStart(endTime: number, run: Pick<Run, 'startTime'>) {
  if (endTime < run.startTime) {
    throw new ValidationError(
      `end_time ${endTime} is before the run's start_time ${run.startTime}`,
      'end_time.invalid',
    );
  }
}

export async function endRun(
  scope: RequestScope,
  runId: string,
  input: EndRunInput,
  deps: Pick<TrackingDeps, 'runs' | 'metrics' | 'experiments' | 'clock'>,
): Promise<RunDetails> {
  const current = await getRun(scope, runId, deps);
  const endTime = input.endTime ?? deps.clock.now();
  requireEndAfterStart(endTime, current);
  const ended = await deps.runs.end(scope.workspace, runId, input.status, endTime);
  await deps.experiments.recordActivity(scope.workspace, ended.experimentId, endTime);
  await sealAtRunEnd(scope, runId, deps);
  return { ...ended, params: current.params, metrics: current.metrics };
}

/** Logs immutable params: the same value again is fine, a different one conflicts. */
export async function logParams(
  scope: RequestScope,
  runId: string,
  params: Record<string, string>,
  deps: Pick<TrackingDeps, 'runs' | 'metrics' | 'metricSlots' | 'clock' | 'newId'>,
  options: { evenIfEnded?: boolean } = {},
): Promise<void> {
  await logBatch(scope, runId, { params, ...options }, deps);
}

/** Sets tags; allowed whatever the run's status, but not on a deleted run. */
export async function setRunTags(
  scope: RequestScope,
  runId: string,
  tags: Tags,
  deps: Pick<TrackingDeps, 'runs'>,
): Promise<Run> {
  await requireActiveRun(scope, runId, deps);
  return deps.runs.setTags(scope.workspace, runId, tags);
}

/** The run, unless it does not exist or is deleted. */
export async function requireActiveRun(
  scope: RequestScope,
  runId: string,
  deps: Pick<TrackingDeps, 'runs'>,
): Promise<Run> {
  const run = await deps.runs.get(scope.workspace, runId);
  if (!run) throw new NotFoundError('run', runId);
  requireNotDeleted(run);
  return run;
}

export interface ListRunsInput {
  limit: number;
  pageToken?: string | undefined;
  status?: RunStatus | undefined;
  view?: ViewType | undefined;
}

/**
 * Newest first within an experiment; deleted runs only when the view asks for them. Every run
 * of a deleted experiment is deleted (runStage): none is active, and all are deleted ones.
 */
export async function listRuns(
  scope: RequestScope,
  experimentId: string,
  input: ListRunsInput,
  deps: Pick<TrackingDeps, 'runs' | 'experiments'>,
): Promise<Page<Run>> {
  const experiment = await getExperiment(scope, experimentId, deps);
  const deleted = experiment.lifecycleStage === 'deleted';
  const view = input.view ?? 'ACTIVE_ONLY';
  if (deleted && view === 'ACTIVE_ONLY') return { items: [], cursor: undefined };
  const page = await deps.runs.listByExperiment(scope.workspace, experimentId, {
    limit: input.limit,
    pageToken: input.pageToken,
    status: input.status,
    view: deleted ? 'ALL' : view,
  });
  if (!deleted) return page;
  return { ...page, items: page.items.map((run) => ({ ...run, lifecycleStage: 'deleted' as const })) };
}

/** Throws unless the run exists, is not deleted and is RUNNING: ended runs take no new params or metrics. */
export async function requireRunning(scope: RequestScope, runId: string, deps: Pick<TrackingDeps, 'runs'>) {
  const run = await deps.runs.get(scope.workspace, runId);
  if (!run) throw new NotFoundError('run', runId);
  requireWritable(run);
  return run;
}
