import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, test } from 'vitest';
import { useTestStack } from '../support/local-api.ts';

/**
 * A COMPLETE artifact is immutable, on the S3 server that checks signatures:
 * every PUT URL is signed with `If-None-Match: *`, so once the object is there
 * a still-valid URL (of this plan or an earlier one) cannot replace it, and the
 * download keeps returning the completed bytes. A PENDING path planned again
 * takes a new upload even when an earlier one left bytes behind.
 */
const local = useTestStack();
let runId: string;

beforeAll(async () => {
  runId = (await local.api.post('/api/v1/runs', { experiment_name: 'immutable' })).body.run_id as string;
});

interface SinglePlan {
  url: string;
  headers: Record<string, string>;
}

async function plan(path: string, size: number, sha256?: string): Promise<SinglePlan> {
  const planned = await local.api.post(`/api/v1/runs/${runId}/artifacts`, {
    path,
    artifact_type: 'other',
    size_bytes: size,
    ...(sha256 ? { sha256 } : {}),
  });
  expect(planned.status, JSON.stringify(planned.body)).toBe(201);
  expect(planned.body.upload.kind).toBe('single');
  return planned.body.upload as SinglePlan;
}

const put = (upload: SinglePlan, body: string, headers = upload.headers) =>
  fetch(upload.url, { method: 'PUT', body, headers }).then((response) => response.status);

async function download(path: string): Promise<string> {
  const link = await local.api.get(`/api/v1/runs/${runId}/artifacts/download?path=${encodeURIComponent(path)}`);
  expect(link.status).toBe(200);
  return (await fetch(link.body.url)).text();
}

const complete = (path: string) => local.api.post(`/api/v1/runs/${runId}/artifacts/complete`, { path });

describe.each([
  ['without sha256', undefined],
  ['with sha256', createHash('sha256').update('first').digest('hex')],
] as const)('a COMPLETE artifact planned %s', (label, sha256) => {
  test('cannot be overwritten through its still-valid upload URL, nor an earlier plan’s', async () => {
    const path = `model-${label.replace(/\W/g, '-')}.bin`;
    const earlier = await plan(path, 5, sha256); // planned, never used: replaced by the next plan
    const upload = await plan(path, 5, sha256);
    expect(upload.headers['if-none-match']).toBe('*');
    expect(await put(upload, 'first')).toBe(200);
    expect((await complete(path)).body.status).toBe('COMPLETE');

    // Refused: 412 for the condition (a wrong digest may be refused first, 400, where checked first).
    expect(sha256 ? [400, 412] : [412]).toContain(await put(upload, 'SECND'));
    expect(await put(upload, 'first')).toBe(412); // even the very same bytes
    expect(await put(earlier, 'third')).toBeGreaterThanOrEqual(400);
    const { 'if-none-match': _, ...unconditional } = upload.headers;
    expect(await put(upload, 'SECND', unconditional)).toBe(403); // the condition is part of the signature
    expect(await download(path)).toBe('first');
    expect(
      (await local.api.post(`/api/v1/runs/${runId}/artifacts`, { path, artifact_type: 'other', size_bytes: 5 })).status,
    ).toBe(409);
  });
});

test('a PENDING path planned again takes the new upload, even after an earlier PUT left bytes', async () => {
  const first = await plan('retry.txt', 3);
  expect(await put(first, 'old')).toBe(200); // uploaded, never completed (the job died)
  const second = await plan('retry.txt', 5);
  expect(await put(second, 'fresh')).toBe(200);
  expect(await put(first, 'old')).toBe(412); // the earlier URL cannot replace the new upload
  expect((await complete('retry.txt')).body.status).toBe('COMPLETE');
  expect(await download('retry.txt')).toBe('fresh');
});
