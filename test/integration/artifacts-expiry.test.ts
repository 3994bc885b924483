import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { apiClient, startTestStack, type TestStack } from '../support/local-api.ts';

/**
 * Presigned URLs stop working when they expire. This file's stack signs URLs
 * for 3 seconds (configuration is read once per process, hence a file of its
 * own): short enough to wait out, long enough that a fresh URL is still valid
 * when it is used on a loaded machine (with 1 second, a PUT more than a second
 * after its plan would fail the test).
 */
const ttlSeconds = 3;
let stack: TestStack;
let api: ReturnType<typeof apiClient>;
let runId: string;

beforeAll(async () => {
  stack = await startTestStack({ artifactUrlTtlSeconds: ttlSeconds });
  api = apiClient(stack.url, stack.token);
  runId = (await api.post('/api/v1/runs', { experiment_name: 'expiry' })).body.run_id;
});
afterAll(() => stack.stop());

const pastExpiry = (expiresAt: number) =>
  // S3 compares whole seconds: wait until the second after expiry has fully passed.
  new Promise((resolve) => setTimeout(resolve, Math.max(0, expiresAt - Date.now()) + 2100));

test('an expired upload URL is refused; a fresh plan works', async () => {
  const bytes = randomBytes(100);
  const planned = await api.post(`/api/v1/runs/${runId}/artifacts`, {
    path: 'late.bin',
    artifact_type: 'other',
    size_bytes: bytes.length,
  });
  expect(planned.body.expires_at - Date.now()).toBeLessThanOrEqual(ttlSeconds * 1000);
  await pastExpiry(planned.body.expires_at);
  const late = await fetch(planned.body.upload.url, {
    method: 'PUT',
    body: bytes,
    headers: planned.body.upload.headers,
  });
  expect(late.status).toBe(403);
  expect(await late.text()).toContain('expired');
  expect((await api.post(`/api/v1/runs/${runId}/artifacts/complete`, { path: 'late.bin' })).status).toBe(409);

  const fresh = await api.post(`/api/v1/runs/${runId}/artifacts`, {
    path: 'late.bin',
    artifact_type: 'other',
    size_bytes: bytes.length,
  });
  const put = await fetch(fresh.body.upload.url, { method: 'PUT', body: bytes, headers: fresh.body.upload.headers });
  expect(put.status).toBe(200);
  expect((await api.post(`/api/v1/runs/${runId}/artifacts/complete`, { path: 'late.bin' })).status).toBe(200);
});

test('an expired download URL is refused', async () => {
  const link = await api.get(`/api/v1/runs/${runId}/artifacts/download?path=late.bin`);
  expect(link.status).toBe(200);
  await pastExpiry(link.body.expires_at);
  const late = await fetch(link.body.url);
  expect(late.status).toBe(403);
});
