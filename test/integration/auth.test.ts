import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { RouteDefinition } from '../../shared/http/route-definition.ts';
import { routeList } from '../../shared/http/route-table.ts';
import { scopeAllows, tokenScopes, type TokenScope } from '../../shared/domain/tokens.ts';
import { apiClient, startTestStack, type TestStack } from '../support/local-api.ts';
import { registerTestModel } from '../support/registry-fixture.ts';
import { errorCodeOf } from '../support/mlflow-requests.ts';
import { exampleRequest, type RouteFixture } from '../support/route-requests.ts';

/**
 * Auth for every route in the route table, so a new route cannot skip it:
 * 401 without or with a bad or revoked token; for every scope (read < write <
 * admin < operator), 403 exactly when the route needs a larger one; 404 for
 * another workspace's data. Workspace admins manage their own workspace only;
 * creating and listing workspaces takes the operator scope, which only the
 * bootstrap token has (and tokens it mints with that scope).
 */
let stack: TestStack;
/** The bootstrap token of workspace "default": an operator. */
let operator: ReturnType<typeof apiClient>;
const tokens: Record<TokenScope | 'revoked' | 'otherAdmin', string> & { adminId: string } = {
  read: '',
  write: '',
  admin: '',
  operator: '',
  revoked: '',
  otherAdmin: '',
  adminId: '',
};
let fixture: RouteFixture;

beforeAll(async () => {
  // No token cache, so a revocation is visible at once.
  stack = await startTestStack({ authCacheSeconds: 0 });
  operator = apiClient(stack.url, stack.token);
  tokens.operator = stack.token;
  for (const scope of ['read', 'write', 'admin'] as const) {
    const created = await operator.post('/api/v1/admin/tokens', { scope, name: `${scope} token` });
    expect(created.status).toBe(201);
    tokens[scope] = created.body.token;
    if (scope === 'admin') tokens.adminId = created.body.token_id;
  }
  const doomed = await operator.post('/api/v1/admin/tokens', { scope: 'admin', name: 'doomed' });
  tokens.revoked = doomed.body.token;
  expect((await operator.delete(`/api/v1/admin/tokens/${doomed.body.token_id}`)).status).toBe(200);
  const other = await operator.post('/api/v1/admin/workspaces', { workspace_id: 'other-team' });
  expect(other.status).toBe(201);
  tokens.otherAdmin = other.body.admin_token.token;
  const run = await operator.post('/api/v1/runs', { experiment_name: 'guarded', run_name: 'r' });
  fixture = {
    experimentId: run.body.experiment_id,
    experimentName: 'guarded',
    runId: run.body.run_id,
    metricKey: 'acc',
    tokenId: '0123456789abcdef',
    artifactPath: 'auth/never.bin',
    modelName: 'guarded-model',
    modelVersion: 1,
    alias: 'prod',
  };
  await registerTestModel(operator, fixture.runId, 'guarded-model');
});
afterAll(() => stack.stop());

/** A request to `route` with ids of workspace "default" (another run's, or a logged model's, when given). */
const requestFor = (
  route: RouteDefinition,
  ids: { experimentId: string; runId: string; modelId?: string | undefined },
) => exampleRequest(route, { ...fixture, ...ids });

const call = (route: RouteDefinition, authorization?: string) => {
  const { path, body } = exampleRequest(route, fixture);
  return apiClient(stack.url).call(route.method, path, body, authorization === undefined ? {} : { authorization });
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

  test('the scope matrix: 403 for every scope smaller than the route needs, never for one large enough', async () => {
    for (const scope of tokenScopes) {
      const response = await call(route, `Bearer ${tokens[scope]}`);
      const label = `${scope} token on ${route.operationId} (needs ${route.access}): ${JSON.stringify(response.body)}`;
      if (scopeAllows(scope, route.access)) {
        expect(response.status, label).not.toBe(403);
        expect(response.status, label).not.toBe(401);
        expect(response.status, label).toBeLessThan(500);
      } else {
        expect(response.status, label).toBe(403);
        expect(errorCodeOf(route, response.body), label).toBe(
          route.dialect === 'mlflow' ? 'PERMISSION_DENIED' : 'auth.forbidden',
        );
      }
    }
  });
});

describe('operator and workspace admin', () => {
  test('a workspace admin can neither list nor create workspaces; the bootstrap token can', async () => {
    for (const admin of [tokens.admin, tokens.otherAdmin]) {
      const client = apiClient(stack.url, admin);
      expect((await client.get('/api/v1/admin/workspaces')).status).toBe(403);
      const created = await client.post('/api/v1/admin/workspaces', { workspace_id: 'usurper' });
      expect(created.status).toBe(403);
      expect(created.body.error.message).toMatch(/needs an operator token/);
    }
    const listed = await operator.get('/api/v1/admin/workspaces');
    expect(listed.status).toBe(200);
    expect(listed.body.workspaces.map((w: { workspace_id: string }) => w.workspace_id)).not.toContain('usurper');
    const bootstrap = (await operator.get('/api/v1/admin/tokens')).body.tokens.find(
      (t: { scope: string }) => t.scope === 'operator',
    );
    expect(bootstrap?.name).toBe('bootstrap operator token');
  });

  test("a new workspace's first token is an admin of it, not an operator", async () => {
    const created = await operator.post('/api/v1/admin/workspaces', { workspace_id: 'fresh-team' });
    expect(created.body.admin_token.scope).toBe('admin');
    const fresh = apiClient(stack.url, created.body.admin_token.token);
    expect((await fresh.post('/api/v1/admin/tokens', { scope: 'write', name: 'ci' })).status).toBe(201);
    expect((await fresh.get('/api/v1/admin/workspaces')).status).toBe(403);
  });

  test('no token mints or revokes a token of a larger scope than its own', async () => {
    const admin = apiClient(stack.url, tokens.admin);
    const minted = await admin.post('/api/v1/admin/tokens', { scope: 'operator', name: 'escalate' });
    expect(minted.status).toBe(403);
    expect(minted.body.error.message).toMatch(/^scope: /);
    const write = apiClient(stack.url, tokens.write);
    expect((await write.post('/api/v1/admin/tokens', { scope: 'read', name: 'x' })).status).toBe(403);
    const operatorId = (await operator.get('/api/v1/admin/tokens')).body.tokens.find(
      (t: { scope: string }) => t.scope === 'operator',
    ).token_id;
    const revoked = await admin.delete(`/api/v1/admin/tokens/${operatorId}`);
    expect(revoked.status).toBe(403);
    expect((await operator.get('/api/v1/experiments')).status).toBe(200);
    // An operator mints operator tokens, and an admin revokes admins of its own workspace.
    const second = await operator.post('/api/v1/admin/tokens', { scope: 'operator', name: 'second operator' });
    expect(second.status).toBe(201);
    expect((await apiClient(stack.url, second.body.token).get('/api/v1/admin/workspaces')).status).toBe(200);
    const peer = await operator.post('/api/v1/admin/tokens', { scope: 'admin', name: 'peer' });
    expect((await admin.delete(`/api/v1/admin/tokens/${peer.body.token_id}`)).status).toBe(200);
  });
});

describe('workspaces are walled off', () => {
  test("every /api/v1 route with ids in its path answers another workspace's admin with 404", async () => {
    // A model of its own: the scope matrix above may have deleted the shared one.
    await registerTestModel(operator, fixture.runId, 'walled-model');
    const walled = { ...fixture, modelName: 'walled-model' };
    const before = await operator.get('/api/v1/models/walled-model/versions/1');
    const outsider = apiClient(stack.url, tokens.otherAdmin);
    for (const route of routeList.filter((r) => r.path.startsWith('/api/v1/') && r.path.includes('{'))) {
      const { path, body } = exampleRequest(route, walled);
      const response = await outsider.call(route.method, path, body);
      expect(response.status, `${route.method} ${route.path}: ${JSON.stringify(response.body)}`).toBe(404);
    }
    expect(before.status).toBe(200);
    expect((await operator.get('/api/v1/models/walled-model/versions/1')).body).toEqual(before.body);
    expect((await operator.get('/api/v1/models/walled-model/aliases/prod')).body.version).toBe(1);
  });

  test("another workspace's experiment, run and metrics are 404, and stay untouched", async () => {
    const own = await operator.post('/api/v1/runs', { experiment_name: 'walled', run_name: 'mine' });
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
    const run = await operator.get(`/api/v1/runs/${runId}`);
    expect(run.body.params).not.toHaveProperty('stolen');
    expect(run.body.tags).not.toHaveProperty('stolen');
    expect(run.body.status).toBe('RUNNING');
    // Lists only ever show the caller's own workspace.
    expect((await outsider.get('/api/v1/experiments')).body.experiments).toEqual([]);
  });

  test('a page token from one workspace is refused in another', async () => {
    await operator.post('/api/v1/experiments', { experiment_name: 'paged-a' });
    await operator.post('/api/v1/experiments', { experiment_name: 'paged-b' });
    const page = await operator.get('/api/v1/experiments?max_results=1');
    expect(page.body.next_page_token).toBeDefined();
    const outsider = apiClient(stack.url, tokens.otherAdmin);
    const reused = await outsider.get(
      `/api/v1/experiments?page_token=${encodeURIComponent(page.body.next_page_token)}`,
    );
    expect(reused.status).toBe(400);
    expect(reused.body.error.code).toBe('page_token.invalid');
  });

  test("an admin cannot revoke another workspace's token, and the same name may exist in both", async () => {
    const listed = await operator.get('/api/v1/admin/tokens');
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
    'mlflowGetServerInfo',
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
    'createRegisteredModel',
    'listRegisteredModels',
    'mlflowCreateRegisteredModel',
    'mlflowSearchRegisteredModels',
    // MLflow answers a search for a run it does not have with no versions, not a 404.
    'mlflowSearchModelVersions',
  ]);
  // MLflow answers the history of a run it does not have with no points, not a 404: none of the run's show.
  const emptyForUnknownRun = new Set([
    'mlflowGetMetricHistory',
    'mlflowGetMetricHistoryBulkInterval',
    'mlflowGetMetricHistoryBulk',
  ]);
  // MLflow answers a search of an experiment it does not have with nothing found, not a 404.
  const emptyForUnknownExperiment = new Set(['mlflowSearchRuns', 'mlflowSearchLoggedModels']);
  const scoped = routeList.filter((route) => !workspaceWide.has(route.operationId));
  test.each(scoped.map((route) => [`${route.method} ${route.path}`, route] as const))(
    "%s: another workspace's ids are 404",
    async (_, route) => {
      const own = await operator.post('/api/v1/runs', {
        experiment_name: `walled-${route.operationId}`,
        run_name: 'mine',
      });
      const ids = { runId: own.body.run_id as string, experimentId: own.body.experiment_id as string };
      const emptySearch = emptyForUnknownExperiment.has(route.operationId);
      const model =
        (route.path.includes('{model_id}') || emptySearch) &&
        (await apiClient(stack.url, stack.token).post('/api/2.0/mlflow/logged-models', {
          experiment_id: ids.experimentId,
          name: 'model',
          source_run_id: ids.runId,
        }));
      const { path, body } = requestFor(route, { ...ids, modelId: model ? model.body.model.info.model_id : undefined });
      const outsider = apiClient(stack.url, tokens.otherAdmin);
      const emptyHistory = emptyForUnknownRun.has(route.operationId);
      if (emptyHistory) {
        const logged = await operator.post(`/api/v1/runs/${ids.runId}/metrics`, {
          metric_name: fixture.metricKey,
          metric_value: 0.5,
        });
        expect(logged.status).toBeLessThan(300);
      }
      const answer = await outsider.call(route.method, path, route.method === 'GET' ? undefined : body);
      if (emptyHistory) {
        expect(answer.status, JSON.stringify(answer.body)).toBe(200);
        expect(answer.body.metrics ?? []).toEqual([]);
      } else if (emptySearch) {
        // The experiment holds a run and a logged model: none of them show.
        expect(answer.status, JSON.stringify(answer.body)).toBe(200);
        expect([...(answer.body.runs ?? []), ...(answer.body.models ?? [])]).toEqual([]);
      } else {
        expect(answer.status, JSON.stringify(answer.body)).toBe(404);
        if (route.dialect === 'mlflow') expect(answer.body.error_code).toBe('RESOURCE_DOES_NOT_EXIST');
      }
      const run = await operator.get(`/api/v1/runs/${ids.runId}`);
      expect(run.body.lifecycle_stage).toBe('active');
      expect(run.body.status).toBe('RUNNING');
      expect(run.body.run_name).toBe('mine');
      expect(run.body.params).toEqual({});
      expect(Object.keys(run.body.metrics)).toEqual(emptyHistory ? [fixture.metricKey] : []);
    },
  );
});
