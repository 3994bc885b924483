import type { SearchedRunIo } from './logged-models.ts';
/** Domain entities, independent of HTTP and of DynamoDB. Times are epoch milliseconds. */

export const runStatuses = ['RUNNING', 'FINISHED', 'FAILED', 'KILLED'] as const;
export type RunStatus = (typeof runStatuses)[number];
export type TerminalRunStatus = Exclude<RunStatus, 'RUNNING'>;

export type Tags = Record<string, string>;

/**
 * Soft deletion, as MLflow's `lifecycle_stage`: a deleted experiment or run
 * leaves lists and searches unless asked for, and can be restored until purged.
 */
export const lifecycleStages = ['active', 'deleted'] as const;
export type LifecycleStage = (typeof lifecycleStages)[number];

/** Which lifecycle stages a list or search includes (MLflow's `run_view_type`). */
export const viewTypes = ['ACTIVE_ONLY', 'DELETED_ONLY', 'ALL'] as const;
export type ViewType = (typeof viewTypes)[number];

export const viewIncludes = (view: ViewType, stage: LifecycleStage) =>
  view === 'ALL' || (view === 'ACTIVE_ONLY') === (stage === 'active');

/**
 * A run's stage as every view shows it: a run of a deleted experiment is deleted, whatever its
 * own stage, as MLflow's server marks them all. Computed when read rather than written to each
 * run, so deleting an experiment stays one write however many runs it holds. Restoring the
 * experiment brings back its runs' own stages: a run deleted on its own before stays deleted
 * (MLflow's server would restore it too; README, "Lifecycle", says why).
 */
export const runStage = (own: LifecycleStage, experiment: LifecycleStage | undefined): LifecycleStage =>
  experiment === 'deleted' ? 'deleted' : own;

export interface Experiment {
  experimentId: string;
  name: string;
  description: string | undefined;
  tags: Tags;
  createdAt: number;
  /** The last rename, tag change, deletion or restore; createdAt until then. */
  updatedAt: number;
  lifecycleStage: LifecycleStage;
  /**
   * Runs ever started in the experiment, deleted and purged ones included (a counter on the
   * experiment, which is also each new run's number: its param bucket row). Not what a user
   * counts: see `runTally`.
   */
  runCount?: number;
  /** Of those, runs whose own stage is deleted and that are not purged (kept by run deletes, restores and purges). */
  deletedRunCount?: number;
  /** Of those, runs purged on their own (an experiment's purge removes the experiment with its counts). */
  purgedRunCount?: number;
  /** The latest run start or end; absent before the first run. */
  lastActivityAt?: number;
  /** It may hold runs from before param rows, whose params search finds in per-param index entries (docs/search.md). */
  legacyParamIndex?: boolean;
  /** It may hold runs whose param digests are on a row of their own, from before bucket rows (docs/search.md). */
  perRunParamRows?: boolean;
  /** Its metric index entries may lack params their runs have: param clauses read its param rows (docs/search.md). */
  paramsOffMetricEntries?: boolean;
  /** It may hold runs with inputs or outputs from before Run.hasIo, which do not say so (docs/search.md). */
  unmarkedRunIo?: boolean;
  /** It may hold child runs from before the child index, which have no item there (docs/search.md). */
  unindexedChildren?: boolean;
}

/**
 * How many of an experiment's runs its lists show: `active` in the default view, `deleted` in
 * the deleted one (purged runs in neither). Every run of a deleted experiment reads deleted
 * (runStage), so a deleted experiment has no active runs and all its remaining ones are
 * deleted. Experiments from before the deleted and purged counters started counting at zero,
 * so their figures are kept within [0, runCount]: never negative, never more than were started.
 */
export function runTally(experiment: Experiment): { active: number; deleted: number } {
  const started = experiment.runCount ?? 0;
  const remaining = within(started - (experiment.purgedRunCount ?? 0), started);
  if (experiment.lifecycleStage === 'deleted') return { active: 0, deleted: remaining };
  const deleted = within(experiment.deletedRunCount ?? 0, remaining);
  return { active: remaining - deleted, deleted };
}

const within = (value: number, most: number) => Math.min(Math.max(value, 0), most);

export interface PipelineComponent {
  name: string;
  type: string;
  stage: string | undefined;
  position: number;
}

/** The second seed's pipeline description: free-form config plus ordered components. */
export interface Pipeline {
  config: Record<string, unknown> | undefined;
  components: PipelineComponent[];
}

export interface Run {
  runId: string;
  experimentId: string;
  runName: string;
  status: RunStatus;
  startTime: number;
  endTime: number | undefined;
  tags: Tags;
  parentRunId: string | undefined;
  gitCommit: string | undefined;
  codeVersion: string | undefined;
  pipeline: Pipeline | undefined;
  lifecycleStage: LifecycleStage;
  /**
   * It has recorded MLflow inputs or outputs (datasets, logged models), which live beside it:
   * set by the first such write (or `npm run migrate`), so that a search reads them only for
   * the runs that have any.
   */
  hasIo?: boolean;
  /**
   * Its datasets and outputs as its run item keeps a copy of them, when the copy is current: what
   * MLflow's search answers, without a read of their items (docs/search.md, "Inputs and outputs").
   */
  keptIo?: SearchedRunIo;
}

/** A metric key's latest point (its highest step), with the lowest step of its whole history. */
export interface LatestMetric {
  key: string;
  value: number;
  step: number;
  timestamp: number;
  /** Equal to `step` when every point is at one step: then a chart by step has no line to draw. */
  lowestStep: number;
}

export interface RunDetails extends Run {
  params: Record<string, string>;
  metrics: LatestMetric[];
}

/** One page of a list; `cursor` is present when more may follow. */
export interface Page<T> {
  items: T[];
  cursor: string | undefined;
}
