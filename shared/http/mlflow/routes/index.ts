import type { RouteDefinition } from '../../route-definition.ts';
import { mlflowCreateExperimentRoute } from './create-experiment.ts';
import { mlflowGetExperimentRoute } from './get-experiment.ts';
import { mlflowGetExperimentByNameRoute } from './get-experiment-by-name.ts';
import { mlflowSearchExperimentsRoute } from './search-experiments.ts';
import { mlflowSearchExperimentsGetRoute } from './search-experiments-get.ts';
import { mlflowUpdateExperimentRoute } from './update-experiment.ts';
import { mlflowDeleteExperimentRoute } from './delete-experiment.ts';
import { mlflowRestoreExperimentRoute } from './restore-experiment.ts';
import { mlflowSetExperimentTagRoute } from './set-experiment-tag.ts';
import { mlflowDeleteExperimentTagRoute } from './delete-experiment-tag.ts';
import { mlflowCreateRunRoute } from './create-run.ts';
import { mlflowGetRunRoute } from './get-run.ts';
import { mlflowUpdateRunRoute } from './update-run.ts';
import { mlflowDeleteRunRoute } from './delete-run.ts';
import { mlflowRestoreRunRoute } from './restore-run.ts';
import { mlflowLogMetricRoute } from './log-metric.ts';
import { mlflowLogParamRoute } from './log-param.ts';
import { mlflowSetTagRoute } from './set-tag.ts';
import { mlflowDeleteTagRoute } from './delete-tag.ts';
import { mlflowLogBatchRoute } from './log-batch.ts';
import { mlflowLogInputsRoute } from './log-inputs.ts';
import { mlflowLogOutputsRoute } from './log-outputs.ts';
import { mlflowSearchRunsRoute } from './search-runs.ts';
import { mlflowGetMetricHistoryRoute } from './get-metric-history.ts';
import { mlflowGetMetricHistoryBulkIntervalRoute } from './get-metric-history-bulk-interval.ts';
import { mlflowListArtifactsRoute } from './list-artifacts.ts';
import { mlflowUploadArtifactRoute } from './upload-artifact.ts';
import { mlflowDownloadArtifactProxiedRoute } from './download-artifact-proxied.ts';
import { mlflowListArtifactsProxiedRoute } from './list-artifacts-proxied.ts';
import { mlflowCreateMultipartUploadRoute } from './create-multipart-upload.ts';
import { mlflowCompleteMultipartUploadRoute } from './complete-multipart-upload.ts';
import { mlflowAbortMultipartUploadRoute } from './abort-multipart-upload.ts';
import { mlflowPresignedDownloadRoute } from './presigned-download.ts';
import { mlflowCreateLoggedModelRoute } from './create-logged-model.ts';
import { mlflowGetLoggedModelRoute } from './get-logged-model.ts';
import { mlflowSearchLoggedModelsRoute } from './search-logged-models.ts';
import { mlflowFinalizeLoggedModelRoute } from './finalize-logged-model.ts';
import { mlflowDeleteLoggedModelRoute } from './delete-logged-model.ts';
import { mlflowSetLoggedModelTagsRoute } from './set-logged-model-tags.ts';
import { mlflowDeleteLoggedModelTagRoute } from './delete-logged-model-tag.ts';
import { mlflowLogLoggedModelParamsRoute } from './log-logged-model-params.ts';

/** MLflow's REST API (`/api/2.0/mlflow/`, `/api/2.0/mlflow-artifacts/`): each route shares the function of its `/api/v1` twin where it has one. */
export const mlflowRoutes = {
  mlflowCreateExperiment: mlflowCreateExperimentRoute,
  mlflowGetExperiment: mlflowGetExperimentRoute,
  mlflowGetExperimentByName: mlflowGetExperimentByNameRoute,
  mlflowSearchExperiments: mlflowSearchExperimentsRoute,
  mlflowSearchExperimentsGet: mlflowSearchExperimentsGetRoute,
  mlflowUpdateExperiment: mlflowUpdateExperimentRoute,
  mlflowDeleteExperiment: mlflowDeleteExperimentRoute,
  mlflowRestoreExperiment: mlflowRestoreExperimentRoute,
  mlflowSetExperimentTag: mlflowSetExperimentTagRoute,
  mlflowDeleteExperimentTag: mlflowDeleteExperimentTagRoute,
  mlflowCreateRun: mlflowCreateRunRoute,
  mlflowGetRun: mlflowGetRunRoute,
  mlflowUpdateRun: mlflowUpdateRunRoute,
  mlflowDeleteRun: mlflowDeleteRunRoute,
  mlflowRestoreRun: mlflowRestoreRunRoute,
  mlflowLogMetric: mlflowLogMetricRoute,
  mlflowLogParam: mlflowLogParamRoute,
  mlflowSetTag: mlflowSetTagRoute,
  mlflowDeleteTag: mlflowDeleteTagRoute,
  mlflowLogBatch: mlflowLogBatchRoute,
  mlflowLogInputs: mlflowLogInputsRoute,
  mlflowLogOutputs: mlflowLogOutputsRoute,
  mlflowSearchRuns: mlflowSearchRunsRoute,
  mlflowGetMetricHistory: mlflowGetMetricHistoryRoute,
  mlflowGetMetricHistoryBulkInterval: mlflowGetMetricHistoryBulkIntervalRoute,
  mlflowListArtifacts: mlflowListArtifactsRoute,
  mlflowUploadArtifact: mlflowUploadArtifactRoute,
  mlflowDownloadArtifactProxied: mlflowDownloadArtifactProxiedRoute,
  mlflowListArtifactsProxied: mlflowListArtifactsProxiedRoute,
  mlflowCreateMultipartUpload: mlflowCreateMultipartUploadRoute,
  mlflowCompleteMultipartUpload: mlflowCompleteMultipartUploadRoute,
  mlflowAbortMultipartUpload: mlflowAbortMultipartUploadRoute,
  mlflowPresignedDownload: mlflowPresignedDownloadRoute,
  mlflowCreateLoggedModel: mlflowCreateLoggedModelRoute,
  mlflowGetLoggedModel: mlflowGetLoggedModelRoute,
  mlflowSearchLoggedModels: mlflowSearchLoggedModelsRoute,
  mlflowFinalizeLoggedModel: mlflowFinalizeLoggedModelRoute,
  mlflowDeleteLoggedModel: mlflowDeleteLoggedModelRoute,
  mlflowSetLoggedModelTags: mlflowSetLoggedModelTagsRoute,
  mlflowDeleteLoggedModelTag: mlflowDeleteLoggedModelTagRoute,
  mlflowLogLoggedModelParams: mlflowLogLoggedModelParamsRoute,
} as const satisfies Record<string, RouteDefinition>;
