import type { RouteDefinition } from './route-definition.ts';
import { mlflowCreateExperimentRoute } from './routes/mlflow-create-experiment.ts';
import { mlflowGetExperimentRoute } from './routes/mlflow-get-experiment.ts';
import { mlflowGetExperimentByNameRoute } from './routes/mlflow-get-experiment-by-name.ts';
import { mlflowSearchExperimentsRoute } from './routes/mlflow-search-experiments.ts';
import { mlflowSearchExperimentsGetRoute } from './routes/mlflow-search-experiments-get.ts';
import { mlflowUpdateExperimentRoute } from './routes/mlflow-update-experiment.ts';
import { mlflowDeleteExperimentRoute } from './routes/mlflow-delete-experiment.ts';
import { mlflowRestoreExperimentRoute } from './routes/mlflow-restore-experiment.ts';
import { mlflowSetExperimentTagRoute } from './routes/mlflow-set-experiment-tag.ts';
import { mlflowDeleteExperimentTagRoute } from './routes/mlflow-delete-experiment-tag.ts';
import { mlflowCreateRunRoute } from './routes/mlflow-create-run.ts';
import { mlflowGetRunRoute } from './routes/mlflow-get-run.ts';
import { mlflowUpdateRunRoute } from './routes/mlflow-update-run.ts';
import { mlflowDeleteRunRoute } from './routes/mlflow-delete-run.ts';
import { mlflowRestoreRunRoute } from './routes/mlflow-restore-run.ts';
import { mlflowLogMetricRoute } from './routes/mlflow-log-metric.ts';
import { mlflowLogParamRoute } from './routes/mlflow-log-param.ts';
import { mlflowSetTagRoute } from './routes/mlflow-set-tag.ts';
import { mlflowDeleteTagRoute } from './routes/mlflow-delete-tag.ts';
import { mlflowLogBatchRoute } from './routes/mlflow-log-batch.ts';
import { mlflowLogInputsRoute } from './routes/mlflow-log-inputs.ts';
import { mlflowLogOutputsRoute } from './routes/mlflow-log-outputs.ts';
import { mlflowSearchRunsRoute } from './routes/mlflow-search-runs.ts';
import { mlflowGetMetricHistoryRoute } from './routes/mlflow-get-metric-history.ts';
import { mlflowGetMetricHistoryBulkIntervalRoute } from './routes/mlflow-get-metric-history-bulk-interval.ts';
import { mlflowGetMetricHistoryBulkRoute } from './routes/mlflow-get-metric-history-bulk.ts';
import { mlflowListArtifactsRoute } from './routes/mlflow-list-artifacts.ts';
import { mlflowUploadArtifactRoute } from './routes/mlflow-upload-artifact.ts';
import { mlflowDownloadArtifactProxiedRoute } from './routes/mlflow-download-artifact-proxied.ts';
import { mlflowGetArtifactRoute } from './routes/mlflow-get-artifact.ts';
import { mlflowListArtifactsProxiedRoute } from './routes/mlflow-list-artifacts-proxied.ts';
import { mlflowCreateMultipartUploadRoute } from './routes/mlflow-create-multipart-upload.ts';
import { mlflowCompleteMultipartUploadRoute } from './routes/mlflow-complete-multipart-upload.ts';
import { mlflowAbortMultipartUploadRoute } from './routes/mlflow-abort-multipart-upload.ts';
import { mlflowPresignedDownloadRoute } from './routes/mlflow-presigned-download.ts';
import { mlflowGetServerInfoRoute } from './routes/mlflow-get-server-info.ts';
import { mlflowCreateLoggedModelRoute } from './routes/mlflow-create-logged-model.ts';
import { mlflowGetLoggedModelRoute } from './routes/mlflow-get-logged-model.ts';
import { mlflowSearchLoggedModelsRoute } from './routes/mlflow-search-logged-models.ts';
import { mlflowFinalizeLoggedModelRoute } from './routes/mlflow-finalize-logged-model.ts';
import { mlflowDeleteLoggedModelRoute } from './routes/mlflow-delete-logged-model.ts';
import { mlflowSetLoggedModelTagsRoute } from './routes/mlflow-set-logged-model-tags.ts';
import { mlflowDeleteLoggedModelTagRoute } from './routes/mlflow-delete-logged-model-tag.ts';
import { mlflowLogLoggedModelParamsRoute } from './routes/mlflow-log-logged-model-params.ts';
import { mlflowCreateRegisteredModelRoute } from './routes/mlflow-create-registered-model.ts';
import { mlflowGetRegisteredModelRoute } from './routes/mlflow-get-registered-model.ts';
import { mlflowSearchRegisteredModelsRoute } from './routes/mlflow-search-registered-models.ts';
import { mlflowRenameRegisteredModelRoute } from './routes/mlflow-rename-registered-model.ts';
import { mlflowUpdateRegisteredModelRoute } from './routes/mlflow-update-registered-model.ts';
import { mlflowSetRegisteredModelTagRoute } from './routes/mlflow-set-registered-model-tag.ts';
import { mlflowDeleteRegisteredModelTagRoute } from './routes/mlflow-delete-registered-model-tag.ts';
import { mlflowDeleteRegisteredModelRoute } from './routes/mlflow-delete-registered-model.ts';
import { mlflowGetLatestVersionsRoute } from './routes/mlflow-get-latest-versions.ts';
import { mlflowGetLatestVersionsGetRoute } from './routes/mlflow-get-latest-versions-get.ts';
import { mlflowCreateModelVersionRoute } from './routes/mlflow-create-model-version.ts';
import { mlflowGetModelVersionRoute } from './routes/mlflow-get-model-version.ts';
import { mlflowUpdateModelVersionRoute } from './routes/mlflow-update-model-version.ts';
import { mlflowSetModelVersionTagRoute } from './routes/mlflow-set-model-version-tag.ts';
import { mlflowTransitionModelVersionStageRoute } from './routes/mlflow-transition-model-version-stage.ts';
import { mlflowDeleteModelVersionTagRoute } from './routes/mlflow-delete-model-version-tag.ts';
import { mlflowDeleteModelVersionRoute } from './routes/mlflow-delete-model-version.ts';
import { mlflowSearchModelVersionsRoute } from './routes/mlflow-search-model-versions.ts';
import { mlflowGetModelVersionDownloadUriRoute } from './routes/mlflow-get-model-version-download-uri.ts';
import { mlflowGetModelVersionArtifactRoute } from './routes/mlflow-get-model-version-artifact.ts';
import { mlflowSetRegisteredModelAliasRoute } from './routes/mlflow-set-registered-model-alias.ts';
import { mlflowDeleteRegisteredModelAliasRoute } from './routes/mlflow-delete-registered-model-alias.ts';
import { mlflowGetModelVersionByAliasRoute } from './routes/mlflow-get-model-version-by-alias.ts';
import { updateExperimentRoute } from './routes/update-experiment.ts';
import { deleteExperimentRoute } from './routes/delete-experiment.ts';
import { restoreExperimentRoute } from './routes/restore-experiment.ts';
import { setExperimentTagsRoute } from './routes/set-experiment-tags.ts';
import { deleteExperimentTagRoute } from './routes/delete-experiment-tag.ts';
import { purgeExperimentRoute } from './routes/purge-experiment.ts';
import { deleteRunRoute } from './routes/delete-run.ts';
import { restoreRunRoute } from './routes/restore-run.ts';
import { deleteRunTagRoute } from './routes/delete-run-tag.ts';
import { purgeRunRoute } from './routes/purge-run.ts';
import { abortArtifactUploadRoute } from './routes/abort-artifact-upload.ts';
import { compareRunsRoute } from './routes/compare-runs.ts';
import { completeArtifactUploadRoute } from './routes/complete-artifact-upload.ts';
import { createArtifactUploadRoute } from './routes/create-artifact-upload.ts';
import { createExperimentRoute } from './routes/create-experiment.ts';
import { createRunRoute } from './routes/create-run.ts';
import { createTokenRoute } from './routes/create-token.ts';
import { createWorkspaceRoute } from './routes/create-workspace.ts';
import { downloadArtifactRoute } from './routes/download-artifact.ts';
import { getExperimentRoute } from './routes/get-experiment.ts';
import { getExperimentByNameRoute } from './routes/get-experiment-by-name.ts';
import { getMetricHistoryRoute } from './routes/get-metric-history.ts';
import { getOpenApiRoute } from './routes/get-openapi.ts';
import { getRunRoute } from './routes/get-run.ts';
import { getRunLineageRoute } from './routes/get-run-lineage.ts';
import { logRunInputsRoute } from './routes/log-run-inputs.ts';
import { listArtifactsRoute } from './routes/list-artifacts.ts';
import { listExperimentsRoute } from './routes/list-experiments.ts';
import { listRunsRoute } from './routes/list-runs.ts';
import { listRunParamsRoute } from './routes/list-run-params.ts';
import { listRunTagsRoute } from './routes/list-run-tags.ts';
import { listTokensRoute } from './routes/list-tokens.ts';
import { listWorkspacesRoute } from './routes/list-workspaces.ts';
import { logBatchRoute } from './routes/log-batch.ts';
import { logMetricsRoute } from './routes/log-metrics.ts';
import { logParamsRoute } from './routes/log-params.ts';
import { revokeTokenRoute } from './routes/revoke-token.ts';
import { searchRunsRoute } from './routes/search-runs.ts';
import { searchRunsPostRoute } from './routes/search-runs-post.ts';
import { setRunTagsRoute } from './routes/set-run-tags.ts';
import { startRunRoute } from './routes/start-run.ts';
import { updateRunRoute } from './routes/update-run.ts';

import { createRegisteredModelRoute } from './routes/create-registered-model.ts';
import { listRegisteredModelsRoute } from './routes/list-registered-models.ts';
import { getRegisteredModelRoute } from './routes/get-registered-model.ts';
import { updateRegisteredModelRoute } from './routes/update-registered-model.ts';
import { deleteRegisteredModelRoute } from './routes/delete-registered-model.ts';
import { createModelVersionRoute } from './routes/create-model-version.ts';
import { listModelVersionsRoute } from './routes/list-model-versions.ts';
import { getModelVersionRoute } from './routes/get-model-version.ts';
import { updateModelVersionRoute } from './routes/update-model-version.ts';
import { deleteModelVersionRoute } from './routes/delete-model-version.ts';
import { getModelVersionDownloadRoute } from './routes/get-model-version-download.ts';
import { setModelAliasRoute } from './routes/set-model-alias.ts';
import { deleteModelAliasRoute } from './routes/delete-model-alias.ts';
import { getModelVersionByAliasRoute } from './routes/get-model-version-by-alias.ts';
import { getAliasHistoryRoute } from './routes/get-alias-history.ts';
import { listLoggedModelsRoute } from './routes/list-logged-models.ts';
import { listRunModelVersionsRoute } from './routes/list-run-model-versions.ts';
/**
 * The route table: every API operation, keyed by operationId. The CDK stack
 * builds one function per distinct entry (with the union of its routes' grants)
 * and one API Gateway route per entry of this table; the local server routes
 * requests with it; the OpenAPI description and the generated tests come from
 * it. A route cannot exist in one and not the others. Lambda entries never
 * import this module (it would put every schema in every bundle): they import
 * their own route modules.
 *
 * To add a route: write routes/<operation>.ts exporting its definition, list it
 * here, and write the entry it names.
 */
export const routes = {
  createExperiment: createExperimentRoute,
  listExperiments: listExperimentsRoute,
  getExperiment: getExperimentRoute,
  getExperimentByName: getExperimentByNameRoute,
  listLoggedModels: listLoggedModelsRoute,
  createRun: createRunRoute,
  listRuns: listRunsRoute,
  startRun: startRunRoute,
  searchRuns: searchRunsRoute,
  searchRunsPost: searchRunsPostRoute,
  compareRuns: compareRunsRoute,
  getRun: getRunRoute,
  getRunLineage: getRunLineageRoute,
  logRunInputs: logRunInputsRoute,
  listRunParams: listRunParamsRoute,
  listRunTags: listRunTagsRoute,
  updateRun: updateRunRoute,
  logParams: logParamsRoute,
  logMetrics: logMetricsRoute,
  logBatch: logBatchRoute,
  setRunTags: setRunTagsRoute,
  getMetricHistory: getMetricHistoryRoute,
  createArtifactUpload: createArtifactUploadRoute,
  completeArtifactUpload: completeArtifactUploadRoute,
  abortArtifactUpload: abortArtifactUploadRoute,
  listArtifacts: listArtifactsRoute,
  downloadArtifact: downloadArtifactRoute,
  getOpenApi: getOpenApiRoute,
  createToken: createTokenRoute,
  listTokens: listTokensRoute,
  revokeToken: revokeTokenRoute,
  createWorkspace: createWorkspaceRoute,
  listWorkspaces: listWorkspacesRoute,
  createRegisteredModel: createRegisteredModelRoute,
  listRegisteredModels: listRegisteredModelsRoute,
  getRegisteredModel: getRegisteredModelRoute,
  updateRegisteredModel: updateRegisteredModelRoute,
  deleteRegisteredModel: deleteRegisteredModelRoute,
  createModelVersion: createModelVersionRoute,
  listModelVersions: listModelVersionsRoute,
  getModelVersion: getModelVersionRoute,
  updateModelVersion: updateModelVersionRoute,
  deleteModelVersion: deleteModelVersionRoute,
  getModelVersionDownload: getModelVersionDownloadRoute,
  setModelAlias: setModelAliasRoute,
  deleteModelAlias: deleteModelAliasRoute,
  getModelVersionByAlias: getModelVersionByAliasRoute,
  getAliasHistory: getAliasHistoryRoute,
  listRunModelVersions: listRunModelVersionsRoute,
  updateExperiment: updateExperimentRoute,
  deleteExperiment: deleteExperimentRoute,
  restoreExperiment: restoreExperimentRoute,
  setExperimentTags: setExperimentTagsRoute,
  deleteExperimentTag: deleteExperimentTagRoute,
  purgeExperiment: purgeExperimentRoute,
  deleteRun: deleteRunRoute,
  restoreRun: restoreRunRoute,
  deleteRunTag: deleteRunTagRoute,
  purgeRun: purgeRunRoute,
  // MLflow's REST API: each route is served by the function of its /api/v1 twin where it has one.
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
  mlflowGetMetricHistoryBulk: mlflowGetMetricHistoryBulkRoute,
  mlflowListArtifacts: mlflowListArtifactsRoute,
  mlflowUploadArtifact: mlflowUploadArtifactRoute,
  mlflowDownloadArtifactProxied: mlflowDownloadArtifactProxiedRoute,
  mlflowListArtifactsProxied: mlflowListArtifactsProxiedRoute,
  mlflowCreateMultipartUpload: mlflowCreateMultipartUploadRoute,
  mlflowCompleteMultipartUpload: mlflowCompleteMultipartUploadRoute,
  mlflowAbortMultipartUpload: mlflowAbortMultipartUploadRoute,
  mlflowPresignedDownload: mlflowPresignedDownloadRoute,
  mlflowGetServerInfo: mlflowGetServerInfoRoute,
  mlflowGetArtifact: mlflowGetArtifactRoute,
  mlflowCreateLoggedModel: mlflowCreateLoggedModelRoute,
  mlflowGetLoggedModel: mlflowGetLoggedModelRoute,
  mlflowSearchLoggedModels: mlflowSearchLoggedModelsRoute,
  mlflowFinalizeLoggedModel: mlflowFinalizeLoggedModelRoute,
  mlflowDeleteLoggedModel: mlflowDeleteLoggedModelRoute,
  mlflowSetLoggedModelTags: mlflowSetLoggedModelTagsRoute,
  mlflowDeleteLoggedModelTag: mlflowDeleteLoggedModelTagRoute,
  mlflowLogLoggedModelParams: mlflowLogLoggedModelParamsRoute,
  // MLflow's model registry, on the functions of the /api/v1 registry routes.
  mlflowCreateRegisteredModel: mlflowCreateRegisteredModelRoute,
  mlflowGetRegisteredModel: mlflowGetRegisteredModelRoute,
  mlflowSearchRegisteredModels: mlflowSearchRegisteredModelsRoute,
  mlflowRenameRegisteredModel: mlflowRenameRegisteredModelRoute,
  mlflowUpdateRegisteredModel: mlflowUpdateRegisteredModelRoute,
  mlflowDeleteRegisteredModel: mlflowDeleteRegisteredModelRoute,
  mlflowSetRegisteredModelTag: mlflowSetRegisteredModelTagRoute,
  mlflowDeleteRegisteredModelTag: mlflowDeleteRegisteredModelTagRoute,
  mlflowGetLatestVersions: mlflowGetLatestVersionsRoute,
  mlflowGetLatestVersionsGet: mlflowGetLatestVersionsGetRoute,
  mlflowCreateModelVersion: mlflowCreateModelVersionRoute,
  mlflowGetModelVersion: mlflowGetModelVersionRoute,
  mlflowUpdateModelVersion: mlflowUpdateModelVersionRoute,
  mlflowDeleteModelVersion: mlflowDeleteModelVersionRoute,
  mlflowSearchModelVersions: mlflowSearchModelVersionsRoute,
  mlflowGetModelVersionDownloadUri: mlflowGetModelVersionDownloadUriRoute,
  mlflowGetModelVersionArtifact: mlflowGetModelVersionArtifactRoute,
  mlflowSetModelVersionTag: mlflowSetModelVersionTagRoute,
  mlflowTransitionModelVersionStage: mlflowTransitionModelVersionStageRoute,
  mlflowDeleteModelVersionTag: mlflowDeleteModelVersionTagRoute,
  mlflowSetRegisteredModelAlias: mlflowSetRegisteredModelAliasRoute,
  mlflowDeleteRegisteredModelAlias: mlflowDeleteRegisteredModelAliasRoute,
  mlflowGetModelVersionByAlias: mlflowGetModelVersionByAliasRoute,
} as const satisfies Record<string, RouteDefinition>;

export type RouteName = keyof typeof routes;
export const routeList: readonly RouteDefinition[] = Object.values(routes);
