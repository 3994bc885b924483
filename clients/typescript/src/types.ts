import { decodeMetricValue } from './wire.ts';

export type RunStatus = 'RUNNING' | 'FINISHED' | 'FAILED' | 'KILLED';
export type ArtifactType = 'model' | 'plot' | 'data' | 'report' | 'other';

export interface Experiment {
  experimentId: string;
  experimentName: string;
  description?: string | undefined;
  tags: Record<string, string>;
  createdAt: number;
  /** 'active', or 'deleted' (soft-deleted: restorable until purged). */
  lifecycleStage: 'active' | 'deleted';
  /** Its active runs (0 while it is deleted: its runs are deleted with it). */
  runCount: number;
  /** Its deleted runs, restorable until purged (every run not purged, while the experiment is deleted). */
  deletedRunCount: number;
  /** The latest run start or end (epoch ms); undefined before the first run. */
  lastActivityAt?: number | undefined;
}

/** A metric's latest point (highest step, then latest timestamp), or one point of its history. */
export interface MetricValue {
  value: number;
  step: number;
  timestamp: number;
  /**
   * In a run's `latestMetrics` only: the key's lowest step, equal to `step` when all its points are
   * at one step (a value, not a curve). Absent on history points.
   */
  minStep?: number | undefined;
}

export interface Artifact {
  path: string;
  artifactType: ArtifactType;
  sizeBytes: number;
  contentType?: string | undefined;
  sha256?: string | undefined;
  status: 'PENDING' | 'COMPLETE';
  createdTime?: number | undefined;
  updatedTime?: number | undefined;
}

/** One step of a run's pipeline (the second seed's `pipeline_components` row). */
export interface PipelineComponent {
  name: string;
  type: string;
  stage?: string | undefined;
  position: number;
}

export interface Run {
  runId: string;
  runName: string;
  experimentId: string;
  status: RunStatus;
  /** 'active', or 'deleted' (soft-deleted: restorable until purged). */
  lifecycleStage: 'active' | 'deleted';
  startTime: number;
  endTime?: number | undefined;
  durationMs?: number | undefined;
  tags: Record<string, string>;
  params: Record<string, string>;
  /** Latest value of each metric. */
  metrics: Record<string, number>;
  latestMetrics: Record<string, MetricValue>;
  artifacts: Artifact[];
  gitCommit?: string | undefined;
  codeVersion?: string | undefined;
  parentRunId?: string | undefined;
  pipelineConfig?: Record<string, unknown> | undefined;
  pipelineComponents: PipelineComponent[];
  /** True when startRun could not reach the service (non-strict): nothing is recorded for this run. */
  offline?: boolean;
}

/** A dataset a run used, as MLflow's `log_input` recorded it (`context`: its `mlflow.data.context` tag). */
export interface LineageDataset {
  name: string;
  digest: string;
  sourceType: string;
  source: string;
  schema?: string | undefined;
  profile?: string | undefined;
  context?: string | undefined;
  tags: Record<string, string>;
}

/**
 * A logged model a run used, produced (at `producedAtStep`), or both; `name`, `status` and
 * `createdAt` are absent for a model deleted since, or past the first `modelsLookedUp`.
 */
export interface LineageModel {
  modelId: string;
  used: boolean;
  producedAtStep?: number | undefined;
  name?: string | undefined;
  status?: string | undefined;
  createdAt?: number | undefined;
}

/** What a run trained on and the models it used and produced (`GET /runs/{id}/lineage`). */
export interface RunLineage {
  runId: string;
  datasets: LineageDataset[];
  models: LineageModel[];
  /** How many of `models` were looked up for their name, status and creation time. */
  modelsLookedUp: number;
}

/** The latest point of a metric logged for a logged model (per dataset, when one was named). */
export interface LoggedModelMetric {
  key: string;
  value: number;
  step: number;
  timestamp: number;
  runId: string;
  datasetName?: string | undefined;
  datasetDigest?: string | undefined;
}

/**
 * A logged model (what MLflow 3's `log_model` makes): its files are its source run's artifacts
 * under `models/<modelId>/`; `status` is PENDING, READY or UPLOAD_FAILED.
 */
export interface LoggedModel {
  modelId: string;
  experimentId: string;
  name: string;
  modelType?: string | undefined;
  status: string;
  sourceRunId: string;
  createdAt: number;
  updatedAt: number;
  params: Record<string, string>;
  tags: Record<string, string>;
  metrics: LoggedModelMetric[];
}

/** One row of compareRuns: the API's CSV columns (`metrics.<name>`, `params.<name>`). */
export type ComparisonRow = {
  run_id: string;
  run_name: string;
  status: RunStatus;
  start_time: number;
} & Record<string, string | number | null>;

export const experimentFrom = (data: any): Experiment => ({
  experimentId: data.experiment_id,
  experimentName: data.experiment_name,
  description: data.description,
  tags: data.tags ?? {},
  createdAt: data.created_at,
  lifecycleStage: data.lifecycle_stage ?? 'active',
  runCount: data.run_count ?? 0,
  deletedRunCount: data.deleted_run_count ?? 0,
  lastActivityAt: data.last_activity_at,
});

export const metricFrom = (data: any): MetricValue => ({
  value: decodeMetricValue(data.value),
  step: data.step,
  timestamp: data.timestamp,
  ...(data.min_step !== undefined && { minStep: data.min_step }),
});

export const artifactFrom = (data: any): Artifact => ({
  path: data.path,
  artifactType: data.artifact_type,
  sizeBytes: data.size_bytes,
  contentType: data.content_type,
  sha256: data.sha256,
  status: data.status ?? 'COMPLETE',
  createdTime: data.created_time,
  updatedTime: data.updated_time,
});

export function runFrom(data: any): Run {
  const latestMetrics: Record<string, MetricValue> = {};
  for (const [name, point] of Object.entries(data.metrics ?? {})) latestMetrics[name] = metricFrom(point);
  return {
    runId: data.run_id,
    runName: data.run_name,
    experimentId: data.experiment_id,
    lifecycleStage: data.lifecycle_stage ?? 'active',
    status: data.status,
    startTime: data.start_time,
    endTime: data.end_time,
    durationMs: data.duration_ms,
    tags: data.tags ?? {},
    params: data.params ?? {},
    metrics: Object.fromEntries(Object.entries(latestMetrics).map(([name, point]) => [name, point.value])),
    latestMetrics,
    artifacts: (data.artifacts ?? []).map(artifactFrom),
    gitCommit: data.git_commit,
    codeVersion: data.code_version,
    parentRunId: data.parent_run_id,
    pipelineConfig: data.pipeline?.pipeline_config,
    pipelineComponents: (data.pipeline?.pipeline_components ?? []).map((component: any) => ({
      name: component.name,
      type: component.type,
      stage: component.stage,
      position: component.position,
    })),
  };
}

export const runLineageFrom = (data: any): RunLineage => ({
  runId: data.run_id,
  datasets: (data.datasets ?? []).map((dataset: any): LineageDataset => ({
    name: dataset.name,
    digest: dataset.digest,
    sourceType: dataset.source_type,
    source: dataset.source,
    schema: dataset.schema,
    profile: dataset.profile,
    context: dataset.context,
    tags: dataset.tags ?? {},
  })),
  models: (data.models ?? []).map((model: any): LineageModel => ({
    modelId: model.model_id,
    used: model.used === true,
    producedAtStep: model.produced_at_step,
    name: model.name,
    status: model.status,
    createdAt: model.created_at,
  })),
  modelsLookedUp: data.models_looked_up ?? 0,
});

export const loggedModelFrom = (data: any): LoggedModel => ({
  modelId: data.model_id,
  experimentId: data.experiment_id,
  name: data.name,
  modelType: data.model_type,
  status: data.status,
  sourceRunId: data.source_run_id,
  createdAt: data.created_at,
  updatedAt: data.updated_at,
  params: data.params ?? {},
  tags: data.tags ?? {},
  metrics: (data.metrics ?? []).map((metric: any): LoggedModelMetric => ({
    key: metric.key,
    value: decodeMetricValue(metric.value),
    step: metric.step,
    timestamp: metric.timestamp,
    runId: metric.run_id,
    datasetName: metric.dataset_name,
    datasetDigest: metric.dataset_digest,
  })),
});
