import { runStage } from '../domain/types.ts';
import { ConflictError, NotFoundError, ValidationError } from '../errors.ts';
import type { ArtifactObjectStore } from '../storage/artifact-store.ts';
import { runObjectPrefix } from '../storage/keys.ts';
import type { ModelHoldsReader } from '../storage/model-holds.ts';
import type { PurgeRepository } from '../storage/purge-repository.ts';
import type { RequestScope, TrackingDeps } from './deps.ts';
import { defaultExperimentId } from './experiments.ts';
import { refuseIfHeldByModelVersions } from './model-holds.ts';

/**
 * Purge: the irreversible end of soft deletion. Only what was deleted first can
 * be purged (a second, deliberate step); the data goes from the table and the
 * artifacts from S3, and a purged experiment's name is free again. Admin tokens
 * only (the routes declare it).
 */
export interface PurgeDeps extends Pick<TrackingDeps, 'experiments' | 'runs'> {
  purge: PurgeRepository;
  objects: ArtifactObjectStore;
  /** Model versions hold their runs' artifacts: a run they hold cannot be purged. */
  holds: ModelHoldsReader;
}

export interface PurgeResult {
  runs: number;
  items: number;
  objects: number;
}

/** Purges a run that reads deleted: deleted itself, or in a deleted experiment (runStage). */
export async function purgeRun(scope: RequestScope, runId: string, deps: PurgeDeps): Promise<PurgeResult> {
  const run = await deps.runs.get(scope.workspace, runId);
  if (!run) throw new NotFoundError('run', runId);
  const stage =
    run.lifecycleStage === 'deleted'
      ? run.lifecycleStage
      : runStage(run.lifecycleStage, await deps.runs.experimentStage(scope.workspace, run.experimentId));
  if (stage !== 'deleted') {
    throw new ConflictError('run.not_deleted', `run '${runId}' is not deleted; delete it before purging it`);
  }
  // A deleted run cannot be registered from, so no version can appear between this check and the purge.
  await refuseIfHeldByModelVersions(scope, runId, 'purge', deps);
  return purgeRunData(scope, runId, run.experimentId, deps, true);
}

async function purgeRunData(
  scope: RequestScope,
  runId: string,
  experimentId: string,
  deps: PurgeDeps,
  counted: boolean,
) {
  // Objects first: if the purge stops half way, the run's records still say there is something to purge.
  const objects = await deps.objects.deletePrefix(runObjectPrefix(scope.workspace, experimentId, runId));
  const items = await deps.purge.purgeRun(scope.workspace, runId, experimentId, counted);
  return { runs: 1, items, objects };
}

/** Purges a deleted experiment with every run it holds, then frees its name. */
export async function purgeExperiment(
  scope: RequestScope,
  experimentId: string,
  deps: PurgeDeps,
): Promise<PurgeResult> {
  if (experimentId === defaultExperimentId) {
    throw new ValidationError('experiment_id: the default experiment cannot be purged', 'experiment_id.invalid');
  }
  const experiment = await deps.experiments.get(scope.workspace, experimentId);
  if (!experiment) throw new NotFoundError('experiment', experimentId);
  if (experiment.lifecycleStage !== 'deleted') {
    throw new ConflictError(
      'experiment.not_deleted',
      `experiment '${experimentId}' is not deleted; delete it before purging it`,
    );
  }
  // Nothing is purged if any run is held: the experiment is purged whole or not at all.
  for await (const runId of deps.purge.runIdsOf(scope.workspace, experimentId)) {
    await refuseIfHeldByModelVersions(scope, runId, `purge of experiment '${experimentId}'`, deps);
  }
  const total: PurgeResult = { runs: 0, items: 0, objects: 0 };
  for await (const runId of deps.purge.runIdsOf(scope.workspace, experimentId)) {
    const purged = await purgeRunData(scope, runId, experimentId, deps, false);
    total.runs += purged.runs;
    total.items += purged.items;
    total.objects += purged.objects;
  }
  await deps.purge.purgeExperimentRecord(scope.workspace, experimentId, experiment.name);
  return { ...total, items: total.items + 2 };
}
