import { createHash } from 'node:crypto';
import { afterAll, beforeAll } from 'vitest';
import { type ApiClient, apiClient, startTestStack, type TestStack } from './local-api.ts';
import type { RouteFixture } from './route-requests.ts';

/**
 * A registered model with version 1 (from a one-file artifact of `runId`) and
 * the alias `prod` on it, for the generated tests that need registry ids that exist.
 */
export async function registerTestModel(api: ApiClient, runId: string, name: string): Promise<void> {
  const bytes = Buffer.from(`model of ${name}`);
  const path = `registry-fixture/${name}.bin`;
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const plan = await api.post(`/api/v1/runs/${runId}/artifacts`, {
    path,
    artifact_type: 'model',
    size_bytes: bytes.length,
    sha256,
  });
  const { url, headers } = plan.body.upload as { url: string; headers: Record<string, string> };
  await fetch(url, { method: 'PUT', headers, body: bytes });
  await api.post(`/api/v1/runs/${runId}/artifacts/complete`, { path });
  const model = `/api/v1/models/${encodeURIComponent(name)}`;
  const created = await api.post('/api/v1/models', { name });
  const version = await api.post(`${model}/versions`, { run_id: runId, artifact_path: path });
  const alias = await api.call('PUT', `${model}/aliases/prod`, { version: 1 });
  if (created.status !== 201 || version.status !== 201 || alias.status !== 200) {
    throw new Error(`registry fixture: ${created.status} ${version.status} ${alias.status}`);
  }
}

/**
 * The ids every route's example request needs, all existing: an experiment
 * `name` with a run that has the metric `acc`, and a registered model
 * `<name>-model` (version 1, alias `prod`) from one of its artifacts.
 */
export async function createRouteFixture(api: ApiClient, name: string): Promise<RouteFixture> {
  const run = await api.post('/api/v1/runs', { experiment_name: name, run_name: 'r' });
  if (run.status !== 201) throw new Error(`route fixture: run ${run.status}`);
  await api.post(`/api/v1/runs/${run.body.run_id}/metrics`, { metrics: [{ key: 'acc', value: 0.5, step: 1 }] });
  await registerTestModel(api, run.body.run_id, `${name}-model`);
  return {
    experimentId: run.body.experiment_id,
    experimentName: name,
    runId: run.body.run_id,
    metricKey: 'acc',
    tokenId: '0123456789abcdef',
    artifactPath: `registry-fixture/${name}-model.bin`,
    modelName: `${name}-model`,
    modelVersion: 1,
    alias: 'prod',
  };
}

/**
 * A test stack of its own and a route fixture named `name` in it, for a file of
 * generated tests over every route: started before the file's tests, stopped after.
 */
export function useRouteFixture(name: string) {
  const local = {} as { stack: TestStack; fixture: RouteFixture };
  beforeAll(async () => {
    local.stack = await startTestStack();
    local.fixture = await createRouteFixture(apiClient(local.stack.url, local.stack.token), name);
  }, 120_000);
  afterAll(() => local.stack?.stop());
  return local;
}
