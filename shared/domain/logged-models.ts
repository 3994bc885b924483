import type { Tags } from './types.ts';

/**
 * MLflow 3's logged model: what `mlflow.<flavor>.log_model` creates before it
 * uploads the model's files. On Stratus a logged model belongs to the run it
 * came from, and its files are that run's artifacts under `models/<model id>/`,
 * so they follow the run's artifact rules (presigned S3, immutable once complete).
 */
export const loggedModelStatuses = ['PENDING', 'READY', 'UPLOAD_FAILED'] as const;
export type LoggedModelStatus = (typeof loggedModelStatuses)[number];

export interface LoggedModel {
  modelId: string;
  experimentId: string;
  name: string;
  modelType: string | undefined;
  sourceRunId: string;
  status: LoggedModelStatus;
  params: Record<string, string>;
  tags: Tags;
  createdAt: number;
  updatedAt: number;
  /** The latest value of each metric logged for the model (MLflow's `log_metric(..., model_id=)`), per dataset. */
  metrics: LoggedModelMetric[];
}

/** A metric logged for a logged model: the latest point of its key (and dataset, when one is named). */
export interface LoggedModelMetric {
  key: string;
  value: number;
  step: number;
  timestamp: number;
  runId: string;
  datasetName: string | undefined;
  datasetDigest: string | undefined;
}

/** Metric slots (key and dataset) a logged model keeps: bounded, as a run's metric keys are. */
export const maxLoggedModelMetrics = 1000;

/** Where a logged model's files are, relative to its run's artifact root. */
export const loggedModelArtifactPrefix = (modelId: string) => `models/${modelId}`;

/** Whether an artifact of a run is a file of one of its logged models (ids are `m-` and 32 hex characters). */
export const isLoggedModelFile = (path: string) => /^models\/m-[0-9a-f]{32}\//.test(path);

/** A dataset a run used (MLflow's `log_input`). */
export interface DatasetInput {
  name: string;
  digest: string;
  sourceType: string;
  source: string;
  schema: string | undefined;
  profile: string | undefined;
  tags: Tags;
}

/** A logged model a run produced, at a step (MLflow's `log_outputs`). */
export interface ModelOutput {
  modelId: string;
  step: number;
}

/** A run's inputs and outputs as MLflow answers them with the run: datasets in the order first logged, models by id. */
export interface RunIo {
  datasets: readonly DatasetInput[];
  /** Ids of logged models the run used (MLflow's model inputs: `log_metric(..., model_id=)`, evaluations). */
  modelInputs: readonly string[];
  outputs: readonly ModelOutput[];
}

/** What MLflow's search answers of a run's IO: its datasets and outputs, not the models it used. */
export type SearchedRunIo = Pick<RunIo, 'datasets' | 'outputs'>;

export const noRunIo: RunIo = { datasets: [], modelInputs: [], outputs: [] };
