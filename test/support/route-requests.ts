import type { RouteDefinition } from '../../shared/http/route-definition.ts';
import { mlflowRequestFor } from './mlflow-requests.ts';

/**
 * A request each route would accept, for the tests generated over the route
 * table (auth, outages, content types, hostile keys...). A route missing here
 * fails `exampleRequest`, so a new route cannot slip past those tests: add its
 * body (and query) below.
 */
export interface RouteFixture {
  experimentId: string;
  experimentName: string;
  runId: string;
  metricKey: string;
  tokenId: string;
  /** An artifact path of the run, for the routes that take one. */
  artifactPath: string;
  /** The multipart upload id of `artifactPath`, when it has one. */
  uploadId?: string;
  /** A logged model of the run, for the MLflow routes that name one. */
  modelId?: string | undefined;
  /** The size of the artifact a new upload plans (1 byte unless given). */
  uploadSizeBytes?: number;
  /** A registered model, one of its versions and an alias (defaults name ones that need not exist). */
  modelName?: string;
  modelVersion?: number;
  alias?: string;
}

export interface ExampleRequest {
  /** Path and query string. */
  path: string;
  /** Undefined for routes without a body. */
  body: unknown;
}

const unique = () => Math.random().toString(36).slice(2, 10);

type Example = (fixture: RouteFixture) => { body?: unknown; query?: string };

const examples: Record<string, Example> = {
  createExperiment: () => ({ body: { experiment_name: `e-${unique()}` } }),
  listExperiments: () => ({}),
  getExperiment: () => ({}),
  getExperimentByName: () => ({}),
  listLoggedModels: () => ({}),
  createRun: () => ({ body: {} }),
  listRuns: () => ({}),
  startRun: (f) => ({ body: { experiment_name: f.experimentName } }),
  searchRuns: (f) => ({ query: `experiment_id=${f.experimentId}` }),
  searchRunsPost: (f) => ({ body: { experiment_ids: [f.experimentId] } }),
  compareRuns: (f) => ({ body: { run_ids: [f.runId] } }),
  getRun: () => ({}),
  getRunLineage: () => ({}),
  logRunInputs: () => ({
    body: { datasets: [{ name: 'train', digest: `d${unique()}`.slice(0, 36), source_type: 'local', source: '{}' }] },
  }),
  listRunParams: () => ({}),
  listRunTags: () => ({}),
  updateRun: () => ({ body: { status: 'FINISHED' } }),
  logParams: () => ({ body: { params: { [`p-${unique()}`]: 1 } } }),
  logMetrics: (f) => ({ body: { metric_name: f.metricKey, metric_value: 1 } }),
  setRunTags: () => ({ body: { tags: { a: 'b' } } }),
  logBatch: (f) => ({
    body: { params: { [`p-${unique()}`]: 1 }, tags: { a: 'b' }, metrics: [{ key: f.metricKey, value: 1 }] },
  }),
  getMetricHistory: () => ({}),
  createArtifactUpload: (f) => ({
    body: { path: `examples/${unique()}.bin`, artifact_type: 'other', size_bytes: f.uploadSizeBytes ?? 1 },
  }),
  completeArtifactUpload: (f) => ({ body: { path: f.artifactPath } }),
  abortArtifactUpload: (f) => ({ body: { path: f.artifactPath, upload_id: f.uploadId ?? 'u' } }),
  listArtifacts: () => ({}),
  downloadArtifact: (f) => ({ query: `path=${encodeURIComponent(f.artifactPath)}` }),
  getOpenApi: () => ({}),
  createToken: () => ({ body: { scope: 'read', name: `t-${unique()}` } }),
  listTokens: () => ({}),
  revokeToken: () => ({}),
  createWorkspace: () => ({ body: { workspace_id: `w-${unique()}` } }),
  listWorkspaces: () => ({}),
  createRegisteredModel: () => ({ body: { name: `m-${unique()}` } }),
  listRegisteredModels: () => ({}),
  getRegisteredModel: () => ({}),
  updateRegisteredModel: () => ({ body: { description: 'example' } }),
  deleteRegisteredModel: () => ({}),
  createModelVersion: (f) => ({ body: { run_id: f.runId, artifact_path: f.artifactPath } }),
  listModelVersions: () => ({}),
  getModelVersion: () => ({}),
  updateModelVersion: () => ({ body: { description: 'example' } }),
  deleteModelVersion: () => ({}),
  getModelVersionDownload: () => ({}),
  setModelAlias: (f) => ({ body: { version: f.modelVersion ?? 1 } }),
  deleteModelAlias: () => ({}),
  getModelVersionByAlias: () => ({}),
  getAliasHistory: () => ({}),
  listRunModelVersions: () => ({}),
  updateExperiment: () => ({ body: { experiment_name: `renamed-${unique()}` } }),
  deleteExperiment: () => ({}),
  restoreExperiment: () => ({}),
  setExperimentTags: () => ({ body: { tags: { a: 'b' } } }),
  deleteExperimentTag: () => ({}),
  purgeExperiment: () => ({}),
  deleteRun: () => ({}),
  restoreRun: () => ({}),
  deleteRunTag: () => ({}),
  purgeRun: () => ({}),
};

/** The route's path with the fixture's ids in place of its variables. */
export function concretePath(route: RouteDefinition, fixture: RouteFixture): string {
  return route.path.replace(/\{(\w+)\+?\}/g, (_, name: string) => {
    const values: Record<string, string> = {
      experiment_id: fixture.experimentId,
      experiment_name: encodeURIComponent(fixture.experimentName),
      run_id: fixture.runId,
      metric_key: fixture.metricKey,
      token_id: fixture.tokenId,
      model_name: encodeURIComponent(fixture.modelName ?? 'example-model'),
      version: String(fixture.modelVersion ?? 1),
      alias: fixture.alias ?? 'prod',
      tag_key: 'a',
    };
    const value = Object.hasOwn(values, name) ? values[name] : undefined;
    if (value === undefined) throw new Error(`no fixture value for {${name}} in ${route.path}`);
    return value;
  });
}

export function exampleRequest(route: RouteDefinition, fixture: RouteFixture): ExampleRequest {
  if (route.dialect === 'mlflow') {
    const { path, body } = mlflowRequestFor(route, fixture);
    return { path, body: route.request.body ? (body ?? {}) : undefined };
  }
  const example = Object.hasOwn(examples, route.operationId) ? examples[route.operationId] : undefined;
  if (!example) throw new Error(`test/support/route-requests.ts has no example request for ${route.operationId}`);
  const { body, query } = example(fixture);
  const path = concretePath(route, fixture) + (query ? `?${query}` : '');
  return { path, body: route.request.body ? (body ?? {}) : undefined };
}
