import type { RouteDefinition } from './route-definition.ts';
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
import { listArtifactsRoute } from './routes/list-artifacts.ts';
import { listExperimentsRoute } from './routes/list-experiments.ts';
import { listRunsRoute } from './routes/list-runs.ts';
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
  createRun: createRunRoute,
  listRuns: listRunsRoute,
  startRun: startRunRoute,
  searchRuns: searchRunsRoute,
  searchRunsPost: searchRunsPostRoute,
  compareRuns: compareRunsRoute,
  getRun: getRunRoute,
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
} as const satisfies Record<string, RouteDefinition>;

export type RouteName = keyof typeof routes;
export const routeList: readonly RouteDefinition[] = Object.values(routes);
