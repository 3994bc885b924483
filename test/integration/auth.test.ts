import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { RouteDefinition } from '../../shared/http/route-definition.ts';
import { routeList } from '../../shared/http/route-table.ts';
import { apiClient, startTestStack, type TestStack } from '../support/local-api.ts';
import { errorCodeOf, mlflowRequestFor } from '../support/mlflow-requests.ts';

/**
 * Auth for every route in the route table, so a new route cannot skip it:
 * 401 without or with a bad or revoked token, 403 for a scope that is too
 * small, 404 for another workspace's data.
 */
let stack: TestStack;
let admin: ReturnType<typeof apiClient>;
const tokens: Record<'read' | 'write' | 'revoked' | 'otherAdmin', string> = {
  read: '',
  write: '',
  revoked: '',
  otherAdmin: '',
};
let runId: string;
let experimentId: string;

beforeAll(async () => {
  // No token cache, so a revocation is visible at once.
  stack = await startTestStack({ authCacheSeconds: 0 });
  admin = apiClient(stack.url, stack.token);
  for (const scope of ['read', 'write'] as const) {
    const created = await admin.post('/api/v1/admin/tokens', { scope, name: `${scope} token` });
    expect(created.status).toBe(201);
    tokens[scope] = created.body.token;
  }
  const doomed = await admin.post('/api/v1/admin/tokens', { scope: 'admin', name: 'doomed' });
  tokens.revoked = doomed.body.token;
  expect((await admin.delete(`/api/v1/admin/tokens/${doomed.body.token_id}`)).status).toBe(200);
  const other = await admin.post('/api/v1/admin/workspaces', { workspace_id: 'other-team' });
  expect(other.status).toBe(201);
  tokens.otherAdmin = other.body.admin_token.token;
  const run = await admin.post('/api/v1/runs', { experiment_name: 'guarded', run_name: 'r' });
  runId = run.body.run_id;
  experimentId = run.body.experiment_id;
});
afterAll(() => stack.stop());

/** A request to `route` with ids that exist in workspace "default" and a body that would be valid. */
function requestFor(
  route: RouteDefinition,
  ids: { experimentId: string; runId: string; modelId?: string } = { experimentId, runId },
): { path: string; body?: unknown } {
  if (route.dialect === 'mlflow') return mlflowRequestFor(route, ids);
  const path = route.path
    .replace('{experiment_id}', ids.experimentId)
    .replace('{experiment_name}', 'guarded')
    .replace('{run_id}', ids.runId)
    .replace('{metric_key+}', 'acc')
    .replace('{token_id}', '0123456789abcdef')
    .replace('{tag_key}', 'k');
  const bodies: Record<string, unknown> = {
    createExperiment: { experiment_name: `e-${Math.random()}` },
    createRun: {},
    startRun: { experiment_name: 'guarded' },
    updateRun: { status: 'FINISHED' },
    updateExperiment: { experiment_name: `renamed-${Math.random()}` },
    setExperimentTags: { tags: { a: 'b' } },
    searchRunsPost: { experiment_ids: [ids.experimentId] },
    compareRuns: { run_ids: [ids.runId] },
    logParams: { params: { a: 1 } },
    logMetrics: { metric_name: 'acc', metric_value: 1 },
    setRunTags: { tags: { a: 'b' } },
    createToken: { scope: 'read', name: 'x' },
    createWorkspace: { workspace_id: `w-${Date.now()}` },
    createArtifactUpload: { path: `auth/${Math.random()}.bin`, artifact_type: 'other', size_bytes: 1 },
    completeArtifactUpload: { path: 'auth/never.bin' },
    abortArtifactUpload: { path: 'auth/never.bin', upload_id: 'u' },
  };
  const queries: Record<string, string> = { downloadArtifact: '?path=auth/never.bin' };
  return { path: path + (queries[route.operationId] ?? ''), body: bodies[route.operationId] };
}

const call = (route: RouteDefinition, authorization?: string) => {
  const { path, body } = requestFor(route);
  return apiClient(stack.url).call(
    route.method,
    path,
    route.method === 'GET' || route.method === 'DELETE' ? undefined : body,
    authorization === undefined ? {} : { authorization },
  );
};

describe.each(routeList.map((route) => [`${route.method} ${route.path}`, route] as const))('%s', (_, route) => {
  test('401 without a token, with a malformed, unknown or revoked one', async () => {
    const unknown = `stratus_${'0'.repeat(16)}_${'A'.repeat(43)}`;
    for (const authorization of [
      undefined,
      'Bearer',
      'Basic abc',
      'Bearer nonsense',
      `Bearer ${unknown}`,
      `Bearer ${tokens.revoked}`,
    ]) {
      const response = await call(route, authorization);
      expect(response.status, `authorization: ${authorization}`).toBe(401);
      expect(errorCodeOf(route, response.body)).toBe(
        route.dialect === 'mlflow' ? 'UNAUTHENTICATED' : 'auth.unauthorized',
      );
      expect(response.headers.get('www-authenticate')).toBe('Bearer');
    }
  });

  test('403 for a scope too small, never for a scope large enough', async () => {
    const needed = route.access;
    const read = await call(route, `Bearer ${tokens.read}`);
    const write = await call(route, `Bearer ${tokens.write}`);
    if (needed === 'read') expect([read.status, write.status]).not.toContain(403);
    else expect(read.status).toBe(403);
    if (needed === 'admin') expect(write.status).toBe(403);
    else expect(write.status).not.toBe(403);
    expect([read.status, write.status].every((status) => status !== 401 && status < 500)).toBe(true);
  });
});

describe('workspaces are walled off', () => {
  test("another workspace's experiment, run and metrics are 404, and stay untouched", async () => {
    const own = await admin.post('/api/v1/runs', { experiment_name: 'walled', run_name: 'mine' });
    const { run_id: runId, experiment_id: experimentId } = own.body;
    const outsider = apiClient(stack.url, tokens.otherAdmin);
    const attempts = [
      await outsider.get(`/api/v1/experiments/${experimentId}`),
      await outsider.get('/api/v1/experiments/by-name/walled'),
      await outsider.get(`/api/v1/experiments/${experimentId}/runs`),
      await outsider.post(`/api/v1/experiments/${experimentId}/runs`, {}),
      await outsider.get(`/api/v1/runs/${runId}`),
      await outsider.patch(`/api/v1/runs/${runId}`, { status: 'KILLED' }),
      await outsider.post(`/api/v1/runs/${runId}/params`, { params: { stolen: 1 } }),
      await outsider.post(`/api/v1/runs/${runId}/metrics`, { metric_name: 'x', metric_value: 1 }),
      await outsider.post(`/api/v1/runs/${runId}/tags`, { tags: { stolen: 'yes' } }),
      await outsider.get(`/api/v1/runs/${runId}/metrics/acc`),
      await outsider.post(`/api/v1/runs/${runId}/artifacts`, { path: 'x.bin', artifact_type: 'other', size_bytes: 1 }),
      await outsider.get(`/api/v1/runs/${runId}/artifacts`),
      await outsider.get(`/api/v1/runs/${runId}/artifacts/download?path=x.bin`),
      await outsider.post(`/api/v1/runs/${runId}/artifacts/complete`, { path: 'x.bin' }),
      await outsider.post(`/api/v1/runs/${runId}/artifacts/abort`, { path: 'x.bin', upload_id: 'u' }),
    ];
    for (const attempt of attempts) expect(attempt.status).toBe(404);
    const run = await admin.get(`/api/v1/runs/${runId}`);
    expect(run.body.params).not.toHaveProperty('stolen');
    expect(run.body.tags).not.toHaveProperty('stolen');
    expect(run.body.status).toBe('RUNNING');
    // Lists only ever show the caller's own workspace.
    expect((await outsider.get('/api/v1/experiments')).body.experiments).toEqual([]);
  });

  test('a page token from one workspace is refused in another', async () => {
    await admin.post('/api/v1/experiments', { experiment_name: 'paged-a' });
    await admin.post('/api/v1/experiments', { experiment_name: 'paged-b' });
    const page = await admin.get('/api/v1/experiments?max_results=1');
    expect(page.body.next_page_token).toBeDefined();
    const outsider = apiClient(stack.url, tokens.otherAdmin);
    const reused = await outsider.get(
      `/api/v1/experiments?page_token=${encodeURIComponent(page.body.next_page_token)}`,
    );
    expect(reused.status).toBe(400);
    expect(reused.body.error.code).toBe('page_token.invalid');
  });

  test("an admin cannot revoke another workspace's token, and the same name may exist in both", async () => {
    const listed = await admin.get('/api/v1/admin/tokens');
    const readToken = listed.body.tokens.find((t: { name: string }) => t.name === 'read token');
    expect(JSON.stringify(listed.body)).not.toContain(tokens.read.slice(-20));
    const outsider = apiClient(stack.url, tokens.otherAdmin);
    expect((await outsider.delete(`/api/v1/admin/tokens/${readToken.token_id}`)).status).toBe(404);
    expect((await apiClient(stack.url, tokens.read).get('/api/v1/experiments')).status).toBe(200);
    expect((await outsider.post('/api/v1/experiments', { experiment_name: 'guarded' })).status).toBe(201);
  });

  // Every route that names an experiment, a run or a model, generated from the route table: another
  // workspace's ids do not exist (404, MLflow's RESOURCE_DOES_NOT_EXIST), and nothing is changed.
  const workspaceWide = new Set([
    'createExperiment',
    'listExperiments',
    'getExperimentByName',
    'startRun',
    'getOpenApi',
    'createToken',
    'listTokens',
    'revokeToken',
    'createWorkspace',
    'listWorkspaces',
    'searchRuns',
    'mlflowCreateExperiment',
    'mlflowSearchExperiments',
    'mlflowSearchExperimentsGet',
    'mlflowGetExperimentByName',
  ]);
  const scoped = routeList.filter((route) => !workspaceWide.has(route.operationId));
  test.each(scoped.map((route) => [`${route.method} ${route.path}`, route] as const))(
    "%s: another workspace's ids are 404",
    async (_, route) => {
      const own = await admin.post('/api/v1/runs', {
        experiment_name: `walled-${route.operationId}`,
        run_name: 'mine',
      });
      const ids = { runId: own.body.run_id as string, experimentId: own.body.experiment_id as string };
      const model =
        route.path.includes('{model_id}') &&
        (await apiClient(stack.url, stack.token).post('/api/2.0/mlflow/logged-models', {
          experiment_id: ids.experimentId,
          name: 'model',
          source_run_id: ids.runId,
        }));
      const { path, body } = requestFor(route, { ...ids, modelId: model ? model.body.model.info.model_id : undefined });
      const outsider = apiClient(stack.url, tokens.otherAdmin);
      const answer = await outsider.call(route.method, path, route.method === 'GET' ? undefined : body);
      expect(answer.status, JSON.stringify(answer.body)).toBe(404);
      if (route.dialect === 'mlflow') expect(answer.body.error_code).toBe('RESOURCE_DOES_NOT_EXIST');
      const run = await admin.get(`/api/v1/runs/${ids.runId}`);
      expect(run.body.lifecycle_stage).toBe('active');
      expect(run.body.status).toBe('RUNNING');
      expect(run.body.run_name).toBe('mine');
      expect(run.body.params).toEqual({});
      expect(Object.keys(run.body.metrics)).toEqual([]);
    },
  );
});
