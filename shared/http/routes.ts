import type { z } from 'zod';
import type { TokenScope } from '../domain/tokens.ts';
import * as accessSchemas from './access-schemas.ts';
import * as artifactSchemas from './artifact-schemas.ts';
import * as schemas from './schemas.ts';

/**
 * The route table: the single list of API operations. The CDK stack builds one
 * Lambda function and one API Gateway route per entry from it, with exactly the
 * DynamoDB actions listed; the local server routes requests with it; the
 * OpenAPI description is generated from it. A route cannot exist in one and
 * not the others. Every route reads token items (GetItem) to authenticate.
 */

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'DELETE';

/** DynamoDB actions a function may be granted. TransactWriteItems is authorised per item as PutItem. */
export type TableAction =
  'GetItem' | 'BatchGetItem' | 'Query' | 'PutItem' | 'UpdateItem' | 'DeleteItem' | 'BatchWriteItem';

/**
 * S3 actions on the artifacts bucket a function may be granted (presigning needs
 * the action the URL performs). s3:PutObject also covers CreateMultipartUpload,
 * UploadPart and CompleteMultipartUpload; s3:GetObject covers HeadObject.
 */
export type BucketAction = 'GetObject' | 'PutObject' | 'AbortMultipartUpload' | 'ListMultipartUploadParts';

export interface RouteDefinition {
  operationId: string;
  method: HttpMethod;
  /** API Gateway syntax: `{name}` for a segment, `{name+}` for the greedy rest of the path. */
  path: string;
  /** Lambda entry file, relative to the repository root. */
  entry: string;
  summary: string;
  tag: string;
  /** The token scope the operation needs; checked before anything else runs. */
  access: TokenScope;
  request: {
    path?: z.ZodType;
    query?: z.ZodType;
    body?: z.ZodType;
  };
  /**
   * `alternatives`: other media types the handler can answer in, chosen by the Accept header.
   * `redirect`: the description of a 302 the handler may answer instead (its Location is the target).
   */
  response: {
    status: number;
    description: string;
    body: z.ZodType;
    alternatives?: readonly string[];
    redirect?: string;
  };
  table: { actions: readonly TableAction[]; indexes?: readonly string[] };
  /** Absent for routes that never touch the artifacts bucket. */
  bucket?: { actions: readonly BucketAction[] };
  /** Ingest routes get their own, tighter throttle in the stack. */
  ingest?: boolean;
}

const route = <const R extends RouteDefinition>(definition: R) => definition;

export const routes = {
  createExperiment: route({
    operationId: 'createExperiment',
    method: 'POST',
    path: '/api/v1/experiments',
    entry: 'lambdas/create-experiment.ts',
    summary: 'Create an experiment; its name must be unique',
    access: 'write',
    tag: 'experiments',
    request: { body: schemas.createExperimentBody },
    response: { status: 201, description: 'The new experiment', body: schemas.experimentResponse },
    table: { actions: ['GetItem', 'PutItem'] },
  }),
  listExperiments: route({
    operationId: 'listExperiments',
    method: 'GET',
    path: '/api/v1/experiments',
    entry: 'lambdas/list-experiments.ts',
    summary: 'List experiments, newest first; filter with tag.KEY=VALUE query parameters',
    access: 'read',
    tag: 'experiments',
    request: { query: schemas.listExperimentsQuery },
    response: { status: 200, description: 'A page of experiments', body: schemas.experimentListResponse },
    table: { actions: ['GetItem', 'Query'], indexes: ['gsi1'] },
  }),
  getExperiment: route({
    operationId: 'getExperiment',
    method: 'GET',
    path: '/api/v1/experiments/{experiment_id}',
    entry: 'lambdas/get-experiment.ts',
    summary: 'Get an experiment by id',
    access: 'read',
    tag: 'experiments',
    request: { path: schemas.experimentIdPath },
    response: { status: 200, description: 'The experiment', body: schemas.experimentResponse },
    table: { actions: ['GetItem'] },
  }),
  getExperimentByName: route({
    operationId: 'getExperimentByName',
    method: 'GET',
    path: '/api/v1/experiments/by-name/{experiment_name}',
    entry: 'lambdas/get-experiment-by-name.ts',
    summary: 'Get an experiment by its name (URL-encoded)',
    access: 'read',
    tag: 'experiments',
    request: { path: schemas.experimentNamePath },
    response: { status: 200, description: 'The experiment', body: schemas.experimentResponse },
    table: { actions: ['GetItem'] },
  }),
  createRun: route({
    operationId: 'createRun',
    method: 'POST',
    path: '/api/v1/experiments/{experiment_id}/runs',
    entry: 'lambdas/create-run.ts',
    summary: 'Start a run in an experiment',
    access: 'write',
    tag: 'runs',
    request: { path: schemas.experimentIdPath, body: schemas.createRunBody },
    response: { status: 201, description: 'The new RUNNING run', body: schemas.runDetailsResponse },
    table: { actions: ['GetItem', 'Query', 'PutItem'] },
  }),
  listRuns: route({
    operationId: 'listRuns',
    method: 'GET',
    path: '/api/v1/experiments/{experiment_id}/runs',
    entry: 'lambdas/list-runs.ts',
    summary: "List an experiment's runs, newest first, optionally in one status",
    access: 'read',
    tag: 'runs',
    request: { path: schemas.experimentIdPath, query: schemas.listRunsQuery },
    response: { status: 200, description: 'A page of runs', body: schemas.runListResponse },
    table: { actions: ['GetItem', 'Query'], indexes: ['gsi1'] },
  }),
  startRun: route({
    operationId: 'startRun',
    method: 'POST',
    path: '/api/v1/runs',
    entry: 'lambdas/start-run.ts',
    summary: 'Start a run in the experiment named (created if it does not exist) or given by id',
    access: 'write',
    tag: 'runs',
    request: { body: schemas.startRunBody },
    response: { status: 201, description: 'The new RUNNING run', body: schemas.runDetailsResponse },
    table: { actions: ['GetItem', 'Query', 'PutItem'] },
  }),
  searchRuns: route({
    operationId: 'searchRuns',
    method: 'GET',
    path: '/api/v1/runs/search',
    entry: 'lambdas/search-runs.ts',
    summary: "Search an experiment's runs with an MLflow filter and order; runs carry params, tags and latest metrics",
    access: 'read',
    tag: 'search',
    request: { query: schemas.searchRunsQuery },
    response: { status: 200, description: 'A page of matching runs', body: schemas.searchRunsResponse },
    table: { actions: ['GetItem', 'Query', 'BatchGetItem'], indexes: ['gsi1', 'gsi2'] },
  }),
  searchRunsPost: route({
    operationId: 'searchRunsPost',
    method: 'POST',
    path: '/api/v1/runs/search',
    entry: 'lambdas/search-runs-post.ts',
    summary: 'Search runs of one or more experiments (long filters, several experiments)',
    access: 'read',
    tag: 'search',
    request: { body: schemas.searchRunsBody },
    response: { status: 200, description: 'A page of matching runs', body: schemas.searchRunsResponse },
    table: { actions: ['GetItem', 'Query', 'BatchGetItem'], indexes: ['gsi1', 'gsi2'] },
  }),
  compareRuns: route({
    operationId: 'compareRuns',
    method: 'POST',
    path: '/api/v1/runs/compare',
    entry: 'lambdas/compare-runs.ts',
    summary: 'Runs as rows, latest metrics and params as columns; CSV with `Accept: text/csv`',
    access: 'read',
    tag: 'search',
    request: { body: schemas.compareRunsBody },
    response: {
      status: 200,
      description: 'The comparison',
      body: schemas.compareRunsResponse,
      alternatives: ['text/csv'],
    },
    table: { actions: ['GetItem', 'Query', 'BatchGetItem'] },
  }),
  getRun: route({
    operationId: 'getRun',
    method: 'GET',
    path: '/api/v1/runs/{run_id}',
    entry: 'lambdas/get-run.ts',
    summary: 'Get a run with its params, the latest value of every metric and its complete artifacts',
    access: 'read',
    tag: 'runs',
    request: { path: schemas.runIdPath },
    response: { status: 200, description: 'The run', body: schemas.runWithArtifactsResponse },
    table: { actions: ['GetItem', 'Query'] },
  }),
  updateRun: route({
    operationId: 'updateRun',
    method: 'PATCH',
    path: '/api/v1/runs/{run_id}',
    entry: 'lambdas/update-run.ts',
    summary: 'End a run: FINISHED (or COMPLETED), FAILED or KILLED',
    access: 'write',
    tag: 'runs',
    request: { path: schemas.runIdPath, body: schemas.updateRunBody },
    response: { status: 200, description: 'The ended run', body: schemas.runDetailsResponse },
    table: { actions: ['GetItem', 'Query', 'UpdateItem'] },
  }),
  logParams: route({
    operationId: 'logParams',
    method: 'POST',
    path: '/api/v1/runs/{run_id}/params',
    entry: 'lambdas/log-params.ts',
    summary: 'Log immutable params: the same value again is accepted, a different one is a 409',
    access: 'write',
    tag: 'runs',
    request: { path: schemas.runIdPath, body: schemas.logParamsBody },
    response: { status: 200, description: 'The params as stored', body: schemas.logParamsResponse },
    table: { actions: ['GetItem', 'BatchGetItem', 'PutItem', 'UpdateItem'] },
  }),
  logMetrics: route({
    operationId: 'logMetrics',
    method: 'POST',
    path: '/api/v1/runs/{run_id}/metrics',
    entry: 'lambdas/log-metrics.ts',
    summary: 'Log one metric point, or a batch of up to 1,000',
    access: 'write',
    tag: 'metrics',
    request: { path: schemas.runIdPath, body: schemas.logMetricsBody },
    response: { status: 200, description: 'How many points were accepted', body: schemas.logMetricsResponse },
    table: { actions: ['GetItem', 'BatchGetItem', 'BatchWriteItem', 'UpdateItem'] },
    ingest: true,
  }),
  setRunTags: route({
    operationId: 'setRunTags',
    method: 'POST',
    path: '/api/v1/runs/{run_id}/tags',
    entry: 'lambdas/set-run-tags.ts',
    summary: 'Set tags on a run (allowed after the run ended)',
    access: 'write',
    tag: 'runs',
    request: { path: schemas.runIdPath, body: schemas.setTagsBody },
    response: { status: 200, description: 'The run with its tags', body: schemas.runResponse },
    table: { actions: ['GetItem', 'UpdateItem'] },
  }),
  getMetricHistory: route({
    operationId: 'getMetricHistory',
    method: 'GET',
    path: '/api/v1/runs/{run_id}/metrics/{metric_key+}',
    entry: 'lambdas/get-metric-history.ts',
    summary: "A metric's history in step order, paginated, or downsampled with max_points",
    access: 'read',
    tag: 'metrics',
    request: { path: schemas.metricHistoryPath, query: schemas.metricHistoryQuery },
    response: { status: 200, description: 'Points in step order', body: schemas.metricHistoryResponse },
    table: { actions: ['GetItem', 'BatchGetItem', 'Query'] },
  }),
  createArtifactUpload: route({
    operationId: 'createArtifactUpload',
    method: 'POST',
    path: '/api/v1/runs/{run_id}/artifacts',
    entry: 'lambdas/create-artifact-upload.ts',
    summary: 'Plan an artifact upload: one presigned PUT, or presigned multipart part URLs above the threshold',
    access: 'write',
    tag: 'artifacts',
    request: { path: schemas.runIdPath, body: artifactSchemas.createArtifactBody },
    response: { status: 201, description: 'The upload plan', body: artifactSchemas.uploadPlanResponse },
    table: { actions: ['GetItem', 'PutItem'] },
    // PutObject signs the PUT and part URLs and opens multipart uploads; a replaced pending one is aborted.
    bucket: { actions: ['PutObject', 'AbortMultipartUpload'] },
  }),
  completeArtifactUpload: route({
    operationId: 'completeArtifactUpload',
    method: 'POST',
    path: '/api/v1/runs/{run_id}/artifacts/complete',
    entry: 'lambdas/complete-artifact-upload.ts',
    summary: 'Finish an upload: the object must be in S3 with the declared size',
    access: 'write',
    tag: 'artifacts',
    request: { path: schemas.runIdPath, body: artifactSchemas.completeArtifactBody },
    response: { status: 200, description: 'The COMPLETE artifact', body: artifactSchemas.artifactResponse },
    table: { actions: ['GetItem', 'UpdateItem'] },
    // PutObject covers CompleteMultipartUpload; GetObject covers the HeadObject size check.
    bucket: { actions: ['PutObject', 'GetObject'] },
  }),
  abortArtifactUpload: route({
    operationId: 'abortArtifactUpload',
    method: 'POST',
    path: '/api/v1/runs/{run_id}/artifacts/abort',
    entry: 'lambdas/abort-artifact-upload.ts',
    summary: 'Cancel an open multipart upload and forget the pending artifact',
    access: 'write',
    tag: 'artifacts',
    request: { path: schemas.runIdPath, body: artifactSchemas.abortArtifactBody },
    response: { status: 200, description: 'The aborted upload', body: artifactSchemas.abortArtifactResponse },
    table: { actions: ['GetItem', 'DeleteItem'] },
    bucket: { actions: ['AbortMultipartUpload'] },
  }),
  listArtifacts: route({
    operationId: 'listArtifacts',
    method: 'GET',
    path: '/api/v1/runs/{run_id}/artifacts',
    entry: 'lambdas/list-artifacts.ts',
    summary: "List a run's artifacts in path order, optionally under a prefix",
    access: 'read',
    tag: 'artifacts',
    request: { path: schemas.runIdPath, query: artifactSchemas.listArtifactsQuery },
    response: { status: 200, description: 'A page of artifacts', body: artifactSchemas.artifactListResponse },
    table: { actions: ['GetItem', 'Query'] },
  }),
  downloadArtifact: route({
    operationId: 'downloadArtifact',
    method: 'GET',
    path: '/api/v1/runs/{run_id}/artifacts/download',
    entry: 'lambdas/download-artifact.ts',
    summary: 'A short-lived presigned download URL; with redirect=true a 302 to it',
    access: 'read',
    tag: 'artifacts',
    request: { path: schemas.runIdPath, query: artifactSchemas.downloadArtifactQuery },
    response: {
      status: 200,
      description: 'The download URL',
      body: artifactSchemas.downloadArtifactResponse,
      redirect: 'With redirect=true: to the presigned download URL',
    },
    table: { actions: ['GetItem'] },
    bucket: { actions: ['GetObject'] },
  }),
  getOpenApi: route({
    operationId: 'getOpenApi',
    method: 'GET',
    path: '/api/v1/openapi.json',
    entry: 'lambdas/get-openapi.ts',
    summary: 'This API described in OpenAPI 3.1',
    access: 'read',
    tag: 'meta',
    request: {},
    response: { status: 200, description: 'The OpenAPI document', body: schemas.openApiResponse },
    table: { actions: ['GetItem'] },
  }),
  createToken: route({
    operationId: 'createToken',
    method: 'POST',
    path: '/api/v1/admin/tokens',
    entry: 'lambdas/create-token.ts',
    summary: "Create a token in the caller's workspace; its secret is shown once, in this response",
    access: 'admin',
    tag: 'admin',
    request: { body: accessSchemas.createTokenBody },
    response: { status: 201, description: 'The token, with its secret', body: accessSchemas.createdTokenResponse },
    table: { actions: ['GetItem', 'PutItem'] },
  }),
  listTokens: route({
    operationId: 'listTokens',
    method: 'GET',
    path: '/api/v1/admin/tokens',
    entry: 'lambdas/list-tokens.ts',
    summary: "List the caller's workspace's tokens, newest first (never their secrets)",
    access: 'admin',
    tag: 'admin',
    request: { query: accessSchemas.listQuery },
    response: { status: 200, description: 'A page of tokens', body: accessSchemas.tokenListResponse },
    table: { actions: ['GetItem', 'Query'], indexes: ['gsi1'] },
  }),
  revokeToken: route({
    operationId: 'revokeToken',
    method: 'DELETE',
    path: '/api/v1/admin/tokens/{token_id}',
    entry: 'lambdas/revoke-token.ts',
    summary: "Revoke a token of the caller's workspace",
    access: 'admin',
    tag: 'admin',
    request: { path: accessSchemas.tokenIdPath },
    response: { status: 200, description: 'The revoked token', body: accessSchemas.tokenResponse },
    table: { actions: ['GetItem', 'UpdateItem'] },
  }),
  createWorkspace: route({
    operationId: 'createWorkspace',
    method: 'POST',
    path: '/api/v1/admin/workspaces',
    entry: 'lambdas/create-workspace.ts',
    summary: 'Create a workspace and its first admin token (shown once)',
    access: 'admin',
    tag: 'admin',
    request: { body: accessSchemas.createWorkspaceBody },
    response: {
      status: 201,
      description: 'The workspace and its admin token',
      body: accessSchemas.createdWorkspaceResponse,
    },
    table: { actions: ['GetItem', 'PutItem'] },
  }),
  listWorkspaces: route({
    operationId: 'listWorkspaces',
    method: 'GET',
    path: '/api/v1/admin/workspaces',
    entry: 'lambdas/list-workspaces.ts',
    summary: 'List workspaces, newest first',
    access: 'admin',
    tag: 'admin',
    request: { query: accessSchemas.listQuery },
    response: { status: 200, description: 'A page of workspaces', body: accessSchemas.workspaceListResponse },
    table: { actions: ['GetItem', 'Query'], indexes: ['gsi1'] },
  }),
} as const satisfies Record<string, RouteDefinition>;

export type RouteName = keyof typeof routes;
export const routeList: readonly RouteDefinition[] = Object.values(routes);
