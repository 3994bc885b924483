import type { Experiment, Run, RunDetails, RunStatus, Tags, TerminalRunStatus } from '../domain/types.ts';
import { ConflictError, NotFoundError, ValidationError } from '../errors.ts';
import type { RequestScope, TrackingDeps } from './deps.ts';
import { defaultExperimentId, getExperiment } from './experiments.ts';
import { sealAtRunEnd } from './rollups.ts';
import { endRun, getRun, requireActiveRun, requireEndAfterStart } from './runs.ts';

/**
 * The lifecycle of experiments and runs, shared by both APIs: soft delete and
 * restore (MLflow's `lifecycle_stage`), renames, tag removal. Purge, which
 * removes the data for good, is in `purge.ts`.
 */

type ExperimentDeps = Pick<TrackingDeps, 'experiments' | 'clock' | 'newId'>;
type RunDeps = Pick<TrackingDeps, 'runs' | 'experiments' | 'clock'>;
/** Ending a run also seals its metrics' rollups. */
export type RunEndDeps = RunDeps & Pick<TrackingDeps, 'metrics'>;

/**
 * What deleting or restoring does to an experiment already in that stage: nothing (`/api/v1`,
 * where a retried request is harmless), or a 404 as if there were no such experiment (MLflow's
 * server, which looks for it among the experiments in the other stage).
 */
export interface StageChangeOptions {
  unchangedIsNotFound?: boolean;
}

/**
 * Soft-deletes an experiment: it leaves lists and searches, its runs are all deleted with it
 * (runStage: computed when read, so this stays one write), and its name stays taken until it is purged.
 */
export async function deleteExperiment(
  scope: RequestScope,
  experimentId: string,
  deps: ExperimentDeps,
  options: StageChangeOptions = {},
) {
  if (experimentId === defaultExperimentId) {
    throw new ValidationError('experiment_id: the default experiment cannot be deleted', 'experiment_id.invalid');
  }
  const experiment = await getExperiment(scope, experimentId, deps);
  if (experiment.lifecycleStage === 'deleted') return unchanged(experiment, options);
  const now = deps.clock.now();
  return deps.experiments.update(scope.workspace, experimentId, { lifecycleStage: 'deleted', deletedAt: now }, now);
}

/** Restores an experiment, and its runs to their own stages (runStage). */
export async function restoreExperiment(
  scope: RequestScope,
  experimentId: string,
  deps: ExperimentDeps,
  options: StageChangeOptions = {},
) {
  const experiment = await getExperiment(scope, experimentId, deps);
  if (experiment.lifecycleStage === 'active') return unchanged(experiment, options);
  const now = deps.clock.now();
  return deps.experiments.update(scope.workspace, experimentId, { lifecycleStage: 'active', deletedAt: null }, now);
}

function unchanged(experiment: Experiment, options: StageChangeOptions): Experiment {
  if (options.unchangedIsNotFound) throw new NotFoundError('experiment', experiment.experimentId);
  return experiment;
}

/** Renames an experiment; a deleted one keeps its name until it is restored (the repository refuses). */
export async function renameExperiment(
  scope: RequestScope,
  experimentId: string,
  name: string,
  deps: ExperimentDeps,
): Promise<Experiment> {
  await getExperiment(scope, experimentId, deps);
  return deps.experiments.rename(scope.workspace, experimentId, name, deps.clock.now());
}

/** Sets tags; a deleted experiment takes none until it is restored (the repository's write refuses). */
export async function setExperimentTags(scope: RequestScope, experimentId: string, tags: Tags, deps: ExperimentDeps) {
  await getExperiment(scope, experimentId, deps);
  return deps.experiments.update(scope.workspace, experimentId, { tags });
}

export async function deleteExperimentTag(
  scope: RequestScope,
  experimentId: string,
  key: string,
  deps: ExperimentDeps,
) {
  await getExperiment(scope, experimentId, deps);
  return deps.experiments.update(scope.workspace, experimentId, { removeTag: key });
}

/**
 * Soft-deletes a run: it leaves lists and searches and takes no new data, until it is restored.
 * Its experiment counts it among its deleted runs (runTally), once however often it is asked.
 */
export async function deleteRun(scope: RequestScope, runId: string, deps: RunDeps): Promise<Run> {
  const run = await deps.runs.get(scope.workspace, runId);
  if (!run) throw new NotFoundError('run', runId);
  if (run.lifecycleStage === 'deleted') return run;
  return deps.runs.setStage(scope.workspace, run, 'deleted', deps.clock.now());
}

/**
 * Restores a run to active. A run of a deleted experiment stays deleted whatever its own stage
 * (runStage), so restoring it is refused until the experiment is restored, rather than
 * answering success with the run still deleted.
 */
export async function restoreRun(scope: RequestScope, runId: string, deps: RunDeps): Promise<Run> {
  const run = await deps.runs.get(scope.workspace, runId);
  if (!run) throw new NotFoundError('run', runId);
  const experimentStage = await deps.runs.experimentStage(scope.workspace, run.experimentId);
  if (experimentStage === 'deleted') {
    throw new ConflictError(
      'experiment.deleted',
      `experiment '${run.experimentId}' of run '${runId}' is deleted; restore the experiment first`,
      { id: run.experimentId },
    );
  }
  if (run.lifecycleStage === 'active') return run;
  return deps.runs.setStage(scope.workspace, run, 'active', deps.clock.now());
}

export async function deleteRunTag(scope: RequestScope, runId: string, key: string, deps: RunDeps): Promise<Run> {
  await requireActiveRun(scope, runId, deps);
  return deps.runs.deleteTag(scope.workspace, runId, key);
}

export interface UpdateRunInput {
  runName?: string | undefined;
  status?: RunStatus | undefined;
  endTime?: number | undefined;
}

/**
 * Renames a run and/or changes its status. Ending a RUNNING run goes through the
 * conditional end (a racing end with another status conflicts); setting RUNNING
 * again reopens an ended run, as MLflow's `start_run(run_id=...)` does.
 */
export async function updateRun(scope: RequestScope, runId: string, input: UpdateRunInput, deps: RunEndDeps) {
  let run = await requireActiveRun(scope, runId, deps);
  if (input.status !== undefined && input.status !== run.status) {
    if (input.status === 'RUNNING') {
      run = await deps.runs.updateAttributes(scope.workspace, runId, { status: 'RUNNING', endTime: null });
    } else {
      const endTime = input.endTime ?? deps.clock.now();
      requireEndAfterStart(endTime, run);
      run =
        run.status === 'RUNNING'
          ? await deps.runs.end(scope.workspace, runId, input.status, endTime)
          : await deps.runs.updateAttributes(scope.workspace, runId, { status: input.status, endTime });
      await deps.experiments.recordActivity(scope.workspace, run.experimentId, endTime);
      await sealAtRunEnd(scope, runId, deps);
    }
  } else if (input.endTime !== undefined && run.status !== 'RUNNING' && input.endTime !== run.endTime) {
    // An ended run's end_time alone (its status again, or none), as MLflow's store sets it whenever sent.
    requireEndAfterStart(input.endTime, run);
    run = await deps.runs.updateAttributes(scope.workspace, runId, { endTime: input.endTime });
  }
  if (input.runName !== undefined && input.runName !== run.runName) {
    run = await deps.runs.updateAttributes(scope.workspace, runId, { runName: input.runName });
  }
  return run;
}

/**
 * Renames an active run and nothing else: MLflow's `mlflow.runName` tag in a batch. Needs only the
 * run records, so log-batch's function carries no experiment repository (its bundle budget).
 */
export async function renameRun(scope: RequestScope, runId: string, runName: string, deps: Pick<TrackingDeps, 'runs'>) {
  const run = await requireActiveRun(scope, runId, deps);
  if (runName === run.runName) return run;
  return deps.runs.updateAttributes(scope.workspace, runId, { runName });
}

/**
 * Nests a run under another after it began, or moves it: MLflow's `mlflow.parentRunId` tag set
 * later, which MLflow's search and runs table then follow. The parent must be a run of this
 * workspace, as at creation; a run is not its own parent, nor its own ancestor.
 */
export async function setRunParent(
  scope: RequestScope,
  runId: string,
  parentRunId: string,
  deps: Pick<TrackingDeps, 'runs'>,
) {
  const run = await requireActiveRun(scope, runId, deps);
  if (parentRunId === run.parentRunId) return run;
  await requireParentFor(scope, runId, parentRunId, deps);
  return deps.runs.setParent(scope.workspace, run, parentRunId);
}

/**
 * What setRunParent refuses (the run itself, a run that does not exist, a run nested under
 * this one), checked before a request changes anything else, so that a request refused for
 * its parent (MLflow's log-batch with `mlflow.runName` beside it) leaves the run as it was.
 */
export async function requireParentFor(
  scope: RequestScope,
  runId: string,
  parentRunId: string,
  deps: Pick<TrackingDeps, 'runs'>,
) {
  if (parentRunId === runId) throw new ValidationError('a run cannot be its own parent', 'parent_run_id.invalid');
  const parent = await deps.runs.get(scope.workspace, parentRunId);
  if (!parent) throw new NotFoundError('parent_run', parentRunId);
  // A run moved under one of its own descendants would close a loop with no top-level run, which a
  // search by parent and the runs table could only show by breaking it somewhere: walk the new
  // parent's ancestors (one read each; sweeps nest a level or two) and refuse before writing.
  let ancestor = parent.parentRunId;
  for (let depth = 1; ancestor !== undefined; depth++) {
    if (ancestor === runId || depth > maxNestingDepth) {
      const why = ancestor === runId ? 'nested under this run (a loop)' : `over ${maxNestingDepth} runs deep`;
      throw new ValidationError(`parent_run_id: run '${parentRunId}' is ${why}`, 'parent_run_id.invalid');
    }
    ancestor = (await deps.runs.get(scope.workspace, ancestor))?.parentRunId;
  }
}

/** How many ancestors a new parent may have: each is read to rule out a loop. */
const maxNestingDepth = 100;

/**
 * Un-nests a run: MLflow's `mlflow.parentRunId` tag deleted. A run without a parent field may
 * still hold that tag as a plain one (set after it began, before parents could change): it is
 * deleted as any tag is, and a run with neither answers 404 for the tag, as MLflow does.
 */
export async function removeRunParent(scope: RequestScope, runId: string, key: string, deps: RunDeps) {
  const run = await requireActiveRun(scope, runId, deps);
  if (run.parentRunId === undefined) return deps.runs.deleteTag(scope.workspace, runId, key);
  return deps.runs.setParent(scope.workspace, run, undefined);
}

/**
 * `/api/v1`'s run update: ending keeps its rule (a RUNNING run ends once; a
 * retry with the same status is harmless, another status conflicts); a name
 * change, and a new parent (null: none), apply whatever the status. A parent
 * that would be refused refuses the request before anything changes.
 */
export async function endOrRenameRun(
  scope: RequestScope,
  runId: string,
  input: {
    status?: TerminalRunStatus | undefined;
    endTime?: number | undefined;
    runName?: string | undefined;
    parentRunId?: string | null | undefined;
  },
  deps: RunEndDeps,
): Promise<RunDetails> {
  const { parentRunId } = input;
  if (typeof parentRunId === 'string') await requireParentFor(scope, runId, parentRunId, deps);
  if (input.runName !== undefined || parentRunId !== undefined) {
    const run = await requireActiveRun(scope, runId, deps);
    if (input.runName !== undefined) {
      await deps.runs.updateAttributes(scope.workspace, runId, { runName: input.runName });
    }
    if (parentRunId !== undefined && (parentRunId ?? undefined) !== run.parentRunId) {
      await deps.runs.setParent(scope.workspace, run, parentRunId ?? undefined);
    }
  }
  if (input.status !== undefined) return endRun(scope, runId, { status: input.status, endTime: input.endTime }, deps);
  return getRun(scope, runId, deps);
}
