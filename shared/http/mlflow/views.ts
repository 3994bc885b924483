import { type LoggedModel, loggedModelArtifactPrefix, noRunIo, type RunIo } from '../../domain/logged-models.ts';
import { runArtifactUri } from '../../domain/artifacts.ts';
import type { MetricPoint } from '../../domain/metric-chunk.ts';
import { toWireMetricValue } from '../../domain/metric-values.ts';
import type { Experiment, LatestMetric, Run, RunDetails, Tags } from '../../domain/types.ts';
import { ValidationError } from '../../errors.ts';
import { compareCodePoints } from '../../domain/search/evaluate.ts';
import { datasetView } from '../dataset-view.ts';

/**
 * Domain objects in MLflow's JSON shapes (mlflow/protos/service.proto): key/value
 * lists instead of maps, `lifecycle_stage`, and artifact locations under the
 * `mlflow-artifacts:` scheme, so the stock client reaches artifacts through this
 * API (which answers with presigned S3 URLs).
 */

/** MLflow keeps a run's name and parent in these tags too; Stratus keeps them as fields and shows both. */
export const runNameTag = 'mlflow.runName';
export const parentRunTag = 'mlflow.parentRunId';
export const userTag = 'mlflow.user';
/** A run's `user_id` when no `mlflow.user` tag names one, as MLflow's client and server say. */
export const unknownUser = 'unknown';

export const experimentArtifactLocation = (experimentId: string) => `mlflow-artifacts:/${experimentId}`;
export { runArtifactUri };

const keyValues = (entries: Tags) => Object.entries(entries).map(([key, value]) => ({ key, value }));

export const mlflowExperiment = (experiment: Experiment) => ({
  experiment_id: experiment.experimentId,
  name: experiment.name,
  artifact_location: experimentArtifactLocation(experiment.experimentId),
  lifecycle_stage: experiment.lifecycleStage,
  last_update_time: experiment.updatedAt,
  creation_time: experiment.createdAt,
  tags: keyValues({
    ...experiment.tags,
    ...(experiment.description === undefined ? {} : { 'mlflow.note.content': experiment.description }),
  }),
});

export const mlflowRunInfo = (run: Run) => ({
  run_id: run.runId,
  run_uuid: run.runId,
  run_name: run.runName,
  experiment_id: run.experimentId,
  user_id: run.tags[userTag] ?? unknownUser,
  status: run.status,
  start_time: run.startTime,
  ...(run.endTime === undefined ? {} : { end_time: run.endTime }),
  artifact_uri: runArtifactUri(run),
  lifecycle_stage: run.lifecycleStage,
});

export const mlflowRunTags = (run: Run) =>
  keyValues({
    ...run.tags,
    [runNameTag]: run.runName,
    ...(run.parentRunId === undefined ? {} : { [parentRunTag]: run.parentRunId }),
  });

export const mlflowMetric = (key: string, point: Pick<MetricPoint, 'value' | 'step' | 'timestamp'>) => ({
  key,
  value: toWireMetricValue(point.value),
  timestamp: point.timestamp,
  step: point.step,
});

const latestMetrics = (metrics: readonly LatestMetric[]) => metrics.map((metric) => mlflowMetric(metric.key, metric));

/**
 * A run in MLflow's shape, refused past 5 MiB of a function's response payload (README, "Limits").
 * MLflow's client reads a run whole (get_run, search_runs), and a Lambda answers at most 6 MB: a
 * run whose params and tags outgrow that (hundreds of long params on top of 200 long tags) is read
 * in pages on /api/v1, and named here rather than failing as a 500.
 */
export function boundedMlflowRun(run: RunDetails, io?: RunIo) {
  const view = mlflowRun(run, io);
  if (Buffer.byteLength(JSON.stringify(JSON.stringify(view))) <= 5_242_880) return view;
  const { params, tags } = view.data;
  throw new ValidationError(
    `run '${run.runId}': ${JSON.stringify(params).length < JSON.stringify(tags).length ? 'tags' : 'params'}: the run is over 5 MiB; read it in pages: GET /api/v1/runs/${run.runId}`,
    'run.too_large',
  );
}

export const mlflowRun = (run: RunDetails, io: RunIo = noRunIo) => ({
  info: mlflowRunInfo(run),
  data: {
    metrics: latestMetrics(run.metrics),
    params: keyValues(run.params),
    tags: mlflowRunTags(run),
  },
  inputs: {
    dataset_inputs: io.datasets.map((dataset) => ({
      // MLflow's server answers a dataset's tags by key (code point order, as its SQLite primary key sorts
      // them), whatever the order they were logged in: checked against MLflow 3.17.2's server.
      tags: keyValues(dataset.tags).sort((a, b) => compareCodePoints(a.key, b.key)),
      dataset: datasetView(dataset),
    })),
    model_inputs: io.modelInputs.map((modelId) => ({ model_id: modelId })),
  },
  outputs: { model_outputs: io.outputs.map((output) => ({ model_id: output.modelId, step: output.step })) },
});

const loggedModelStatus = {
  PENDING: 'LOGGED_MODEL_PENDING',
  READY: 'LOGGED_MODEL_READY',
  UPLOAD_FAILED: 'LOGGED_MODEL_UPLOAD_FAILED',
};

export const loggedModelArtifactUri = (model: LoggedModel) =>
  `${runArtifactUri({ experimentId: model.experimentId, runId: model.sourceRunId })}/${loggedModelArtifactPrefix(model.modelId)}`;

export const mlflowLoggedModel = (model: LoggedModel) => ({
  info: {
    model_id: model.modelId,
    experiment_id: model.experimentId,
    name: model.name,
    artifact_uri: loggedModelArtifactUri(model),
    creation_timestamp_ms: model.createdAt,
    last_updated_timestamp_ms: model.updatedAt,
    ...(model.modelType === undefined ? {} : { model_type: model.modelType }),
    source_run_id: model.sourceRunId,
    status: loggedModelStatus[model.status],
    tags: keyValues(model.tags),
  },
  data: {
    params: keyValues(model.params),
    metrics: model.metrics.map((metric) => ({
      ...mlflowMetric(metric.key, metric),
      run_id: metric.runId,
      model_id: model.modelId,
      ...(metric.datasetName === undefined ? {} : { dataset_name: metric.datasetName }),
      ...(metric.datasetDigest === undefined ? {} : { dataset_digest: metric.datasetDigest }),
    })),
  },
});

/** A file or folder in MLflow's artifact listings (`file_size` only for files). */
export const mlflowFileInfo = (path: string, isDir: boolean, sizeBytes?: number) =>
  isDir ? { path, is_dir: true } : { path, is_dir: false, file_size: sizeBytes ?? 0 };
