import type { RouteDefinition } from '../../shared/http/route-definition.ts';

/**
 * A valid request for each MLflow route, given ids that exist: the generated
 * auth, bad-input and cross-workspace tests run every MLflow route with it.
 */
export interface MlflowIds {
  experimentId: string;
  runId: string;
  modelId?: string;
  /** A metric key the run has logged (default `acc`). */
  metricKey?: string;
  /** A registered model with version `modelVersion` and alias `alias` (defaults name ones that need not exist). */
  modelName?: string;
  modelVersion?: number;
  alias?: string;
}

export function mlflowRequestFor(route: RouteDefinition, ids: MlflowIds): { path: string; body?: unknown } {
  const { experimentId, runId } = ids;
  const metricKey = encodeURIComponent(ids.metricKey ?? 'acc');
  const modelId = ids.modelId ?? 'm-0123456789abcdef0123456789abcdef';
  const artifactPath = `${experimentId}/${runId}/artifacts/auth/file.bin`;
  const name = ids.modelName ?? 'example-model';
  const version = String(ids.modelVersion ?? 1);
  const alias = ids.alias ?? 'prod';
  const named = `?name=${encodeURIComponent(name)}`;
  const path = route.path
    .replace('{artifact_path+}', artifactPath)
    .replace('{model_id}', modelId)
    .replace('{tag_key}', 'k');
  const queries: Record<string, string> = {
    mlflowGetExperiment: `?experiment_id=${experimentId}`,
    mlflowGetExperimentByName: '?experiment_name=guarded',
    mlflowSearchExperimentsGet: '?max_results=10',
    mlflowGetRun: `?run_id=${runId}`,
    mlflowGetRegisteredModel: named,
    mlflowSearchRegisteredModels: '?max_results=10',
    mlflowGetModelVersion: `${named}&version=${version}`,
    mlflowGetLatestVersionsGet: `${named}&stages=Production&stages=None`,
    mlflowSearchModelVersions: `?filter=${encodeURIComponent(`run_id = '${runId}'`)}`,
    mlflowGetModelVersionDownloadUri: `${named}&version=${version}`,
    // The version registered from `auth/file.bin` (a single file) names it `file.bin`.
    mlflowGetModelVersionArtifact: `${named}&version=${version}&path=file.bin`,
    mlflowGetModelVersionByAlias: `${named}&alias=${alias}`,
    mlflowGetMetricHistory: `?run_id=${runId}&metric_key=${metricKey}`,
    mlflowGetMetricHistoryBulkInterval: `?run_ids=${runId}&metric_key=${metricKey}`,
    mlflowGetMetricHistoryBulk: `?run_id=${runId}&metric_key=${metricKey}`,
    mlflowListArtifacts: `?run_id=${runId}`,
    mlflowGetArtifact: `?run_id=${runId}&path=auth/file.bin`,
    mlflowListArtifactsProxied: `?path=${experimentId}/${runId}/artifacts`,
  };
  const bodies: Record<string, unknown> = {
    mlflowCreateExperiment: { name: `e-${Math.random()}` },
    mlflowSearchExperiments: { max_results: 10 },
    mlflowUpdateExperiment: { experiment_id: experimentId, new_name: `renamed-${Math.random()}` },
    mlflowDeleteExperiment: { experiment_id: experimentId },
    mlflowRestoreExperiment: { experiment_id: experimentId },
    mlflowSetExperimentTag: { experiment_id: experimentId, key: 'k', value: 'v' },
    mlflowDeleteExperimentTag: { experiment_id: experimentId, key: 'k' },
    mlflowCreateRun: { experiment_id: experimentId },
    mlflowUpdateRun: { run_id: runId, run_name: 'renamed' },
    mlflowDeleteRun: { run_id: runId },
    mlflowRestoreRun: { run_id: runId },
    mlflowLogMetric: { run_id: runId, key: 'acc', value: 1, timestamp: 1, step: 0 },
    mlflowLogParam: { run_id: runId, key: 'p', value: '1' },
    mlflowSetTag: { run_id: runId, key: 'k', value: 'v' },
    mlflowDeleteTag: { run_id: runId, key: 'k' },
    mlflowLogBatch: { run_id: runId, metrics: [{ key: 'acc', value: 1, timestamp: 1, step: 1 }] },
    mlflowLogInputs: { run_id: runId, datasets: [] },
    mlflowLogOutputs: { run_id: runId, models: [] },
    mlflowSearchRuns: { experiment_ids: [experimentId] },
    mlflowCreateMultipartUpload: { path: '/tmp/big.bin', num_parts: 1 },
    mlflowCompleteMultipartUpload: { path: '/tmp/big.bin', upload_id: 'u', parts: [{ part_number: 1, etag: 'e' }] },
    mlflowAbortMultipartUpload: { path: '/tmp/big.bin', upload_id: 'u' },
    mlflowCreateLoggedModel: { experiment_id: experimentId, name: 'model', source_run_id: runId },
    mlflowSearchLoggedModels: { experiment_ids: [experimentId] },
    mlflowFinalizeLoggedModel: { model_id: modelId, status: 'LOGGED_MODEL_READY' },
    mlflowSetLoggedModelTags: { tags: [{ key: 'k', value: 'v' }] },
    mlflowLogLoggedModelParams: { params: [{ key: 'p', value: '1' }] },
    mlflowCreateRegisteredModel: { name: `rm-${Math.random()}` },
    // Renaming to its own name is a valid request that changes nothing.
    mlflowRenameRegisteredModel: { name, new_name: name },
    mlflowUpdateRegisteredModel: { name, description: 'example' },
    mlflowDeleteRegisteredModel: { name },
    mlflowSetRegisteredModelTag: { name, key: 'k', value: 'v' },
    mlflowDeleteRegisteredModelTag: { name, key: 'k' },
    mlflowGetLatestVersions: { name },
    mlflowCreateModelVersion: { name, source: `runs:/${runId}/auth/file.bin` },
    mlflowUpdateModelVersion: { name, version, description: 'example' },
    mlflowDeleteModelVersion: { name, version },
    mlflowSetModelVersionTag: { name, version, key: 'k', value: 'v' },
    mlflowTransitionModelVersionStage: { name, version, stage: 'Staging', archive_existing_versions: false },
    mlflowDeleteModelVersionTag: { name, version, key: 'k' },
    mlflowSetRegisteredModelAlias: { name, alias, version },
    mlflowDeleteRegisteredModelAlias: { name, alias },
  };
  return { path: path + (queries[route.operationId] ?? ''), body: bodies[route.operationId] };
}

/** The error code of an answer in either dialect. */
export const errorCodeOf = (route: RouteDefinition, body: any): string | undefined =>
  route.dialect === 'mlflow' ? body?.error_code : body?.error?.code;
