import { createHash, randomBytes } from 'node:crypto';
import { ListMultipartUploadsCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import {
  artifactListResponse,
  artifactResponse,
  downloadArtifactResponse,
  uploadPlanResponse,
} from '../../shared/http/schemas/artifacts.ts';
import { runWithArtifactsResponse } from '../../shared/http/schemas/run-with-artifacts.ts';
import { apiClient, startTestStack, type TestStack } from '../support/local-api.ts';

/**
 * Artifacts end to end, through real presigned URLs on a server that checks
 * SigV4 signatures (versitygw), with plain fetch as the client. The stack uses
 * 5 MiB parts from 10 MiB on, so a 12 MiB artifact is a 3-part upload.
 */
const MiB = 1024 * 1024;
let stack: TestStack;
let api: ReturnType<typeof apiClient>;
let runId: string;

const newRun = async (name = 'r') => {
  const run = await api.post('/api/v1/runs', { experiment_name: 'artifacts', run_name: name });
  expect(run.status).toBe(201);
  return run.body.run_id as string;
};

const sha256Hex = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** The bucket's open multipart uploads, asked of S3 directly. */
async function openUploads(): Promise<string[]> {
  const { endpoint, credentials } = inject('s3');
  const s3 = new S3Client({ endpoint, credentials, region: 'us-east-1', forcePathStyle: true });
  try {
    const listed = await s3.send(new ListMultipartUploadsCommand({ Bucket: stack.artifactsBucket }));
    return (listed.Uploads ?? []).map((upload) => upload.UploadId as string);
  } finally {
    s3.destroy();
  }
}

const plan = (run: string, body: Record<string, unknown>) => api.post(`/api/v1/runs/${run}/artifacts`, body);

/** Uploads every part of a multipart plan in parallel; returns the parts to complete with. */
async function uploadParts(
  upload: { parts: Array<{ part_number: number; url: string; size_bytes: number }> },
  bytes: Buffer,
) {
  let offset = 0;
  const slices = upload.parts.map((part) => {
    const slice = bytes.subarray(offset, offset + part.size_bytes);
    offset += part.size_bytes;
    return { part, slice };
  });
  return Promise.all(
    slices.map(async ({ part, slice }) => {
      const response = await fetch(part.url, { method: 'PUT', body: slice });
      expect(response.status, await response.clone().text()).toBe(200);
      return { part_number: part.part_number, etag: response.headers.get('etag') as string };
    }),
  );
}

beforeAll(async () => {
  stack = await startTestStack({ multipartThresholdBytes: 10 * MiB, partSizeBytes: 5 * MiB });
  api = apiClient(stack.url, stack.token);
  runId = await newRun();
});
afterAll(() => stack.stop());

describe('single upload', () => {
  test('upload through the presigned PUT, complete, and download the same bytes', async () => {
    const bytes = randomBytes(200_000);
    const planned = await plan(runId, {
      path: 'models/model.pkl',
      artifact_type: 'model',
      size_bytes: bytes.length,
      content_type: 'application/x-pickle',
      sha256: sha256Hex(bytes),
    });
    expect(planned.status).toBe(201);
    const body = uploadPlanResponse.parse(planned.body);
    if (body.upload.kind !== 'single') throw new Error('expected a single upload');
    expect(body.expires_at).toBeGreaterThan(Date.now());
    expect(body.upload.url).toContain(`/runs/${runId}/artifacts/models/model.pkl?`);
    const put = await fetch(body.upload.url, { method: 'PUT', body: bytes, headers: body.upload.headers });
    expect(put.status).toBe(200);

    const completed = await api.post(`/api/v1/runs/${runId}/artifacts/complete`, { path: 'models/model.pkl' });
    expect(completed.status).toBe(200);
    expect(artifactResponse.parse(completed.body)).toMatchObject({
      path: 'models/model.pkl',
      artifact_type: 'model',
      size_bytes: bytes.length,
      content_type: 'application/x-pickle',
      sha256: sha256Hex(bytes),
      status: 'COMPLETE',
    });
    // A retried completion is harmless.
    expect((await api.post(`/api/v1/runs/${runId}/artifacts/complete`, { path: 'models/model.pkl' })).status).toBe(200);

    const link = await api.get(`/api/v1/runs/${runId}/artifacts/download?path=models%2Fmodel.pkl`);
    expect(link.status).toBe(200);
    const { url, size_bytes } = downloadArtifactResponse.parse(link.body);
    expect(size_bytes).toBe(bytes.length);
    const download = await fetch(url);
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toBe('application/x-pickle');
    expect(download.headers.get('content-disposition')).toContain("filename*=UTF-8''model.pkl");
    expect(Buffer.from(await download.arrayBuffer()).equals(bytes)).toBe(true);
  });

  test('redirect=true answers 302 to a URL that serves the artifact', async () => {
    const response = await fetch(
      `${stack.url}/api/v1/runs/${runId}/artifacts/download?path=models/model.pkl&redirect=true`,
      {
        headers: { authorization: `Bearer ${stack.token}` },
        redirect: 'manual',
      },
    );
    expect(response.status).toBe(302);
    const location = response.headers.get('location') as string;
    const followed = await fetch(location);
    expect(followed.status).toBe(200);
    expect((await followed.arrayBuffer()).byteLength).toBe(200_000);
  });

  test('a folder asked for as a file is a 400 naming it, a prefix of a name a 404', async () => {
    const folder = await api.get(`/api/v1/runs/${runId}/artifacts/download?path=models`);
    expect(folder.status).toBe(400);
    expect(folder.body.error).toEqual({
      code: 'artifact.is_folder',
      message: "path: 'models' is a folder, not a file; list it instead",
    });
    expect((await api.get(`/api/v1/runs/${runId}/artifacts/download?path=model`)).status).toBe(404);
  });

  test('the run view includes its complete artifacts, not pending ones', async () => {
    await plan(runId, { path: 'pending/never.bin', artifact_type: 'other', size_bytes: 10 });
    const run = await api.get(`/api/v1/runs/${runId}`);
    expect(run.status).toBe(200);
    const view = runWithArtifactsResponse.parse(run.body);
    const paths = view.artifacts.map((artifact) => artifact.path);
    expect(paths).toContain('models/model.pkl');
    expect(paths).not.toContain('pending/never.bin');
    expect(view.artifacts.every((artifact) => artifact.status === 'COMPLETE')).toBe(true);
  });

  test('an empty artifact is fine', async () => {
    const planned = await plan(runId, {
      path: 'empty.txt',
      artifact_type: 'other',
      size_bytes: 0,
      content_type: 'text/plain',
    });
    const put = await fetch(planned.body.upload.url, {
      method: 'PUT',
      body: Buffer.alloc(0),
      headers: planned.body.upload.headers,
    });
    expect(put.status).toBe(200);
    const completed = await api.post(`/api/v1/runs/${runId}/artifacts/complete`, { path: 'empty.txt' });
    expect(completed.body).toMatchObject({ status: 'COMPLETE', size_bytes: 0 });
  });
});

describe('multipart upload', () => {
  test('a 3-part upload, parts in parallel, downloads byte for byte', async () => {
    const bytes = randomBytes(12 * MiB + 7);
    const planned = await plan(runId, { path: 'data/train.parquet', artifact_type: 'data', size_bytes: bytes.length });
    expect(planned.status).toBe(201);
    const body = uploadPlanResponse.parse(planned.body);
    if (body.upload.kind !== 'multipart') throw new Error('expected a multipart upload');
    expect(body.upload.part_size_bytes).toBe(5 * MiB);
    expect(body.upload.parts.map((part) => part.size_bytes)).toEqual([5 * MiB, 5 * MiB, 2 * MiB + 7]);
    const parts = await uploadParts(body.upload, bytes);

    const completed = await api.post(`/api/v1/runs/${runId}/artifacts/complete`, {
      path: 'data/train.parquet',
      upload_id: body.upload.upload_id,
      parts,
    });
    expect(completed.status).toBe(200);
    expect(completed.body).toMatchObject({ status: 'COMPLETE', size_bytes: bytes.length });
    const link = await api.get(`/api/v1/runs/${runId}/artifacts/download?path=data/train.parquet`);
    const download = Buffer.from(await (await fetch(link.body.url)).arrayBuffer());
    expect(download.length).toBe(bytes.length);
    expect(sha256Hex(download)).toBe(sha256Hex(bytes));
  });

  test('completing needs the upload id and exactly the planned parts, in order', async () => {
    const bytes = randomBytes(11 * MiB);
    const planned = await plan(runId, { path: 'data/partial.bin', artifact_type: 'data', size_bytes: bytes.length });
    const upload = planned.body.upload;
    const parts = await uploadParts(upload, bytes);
    const complete = (body: Record<string, unknown>) =>
      api.post(`/api/v1/runs/${runId}/artifacts/complete`, { path: 'data/partial.bin', ...body });

    const noId = await complete({ parts });
    expect(noId.status).toBe(400);
    expect(noId.body.error.message).toMatch(/^upload_id/);
    expect((await complete({ upload_id: 'not-this-one', parts })).status).toBe(409);
    const missingPart = await complete({ upload_id: upload.upload_id, parts: parts.slice(0, 2) });
    expect(missingPart.status).toBe(400);
    expect(missingPart.body.error.message).toMatch(/^parts/);
    const reordered = await complete({ upload_id: upload.upload_id, parts: [parts[1], parts[0], parts[2]] });
    expect(reordered.status).toBe(400);
    const wrongEtag = await complete({
      upload_id: upload.upload_id,
      parts: [{ ...parts[0], etag: '"0"' }, parts[1], parts[2]],
    });
    expect(wrongEtag.status).toBe(400);
    expect(wrongEtag.body.error.code).toBe('parts.invalid');
    // After all those refusals the right request still completes it.
    expect((await complete({ upload_id: upload.upload_id, parts })).body.status).toBe('COMPLETE');
  });

  test('abort cancels the upload and forgets the pending artifact', async () => {
    const planned = await plan(runId, { path: 'data/aborted.bin', artifact_type: 'data', size_bytes: 10 * MiB });
    const upload = planned.body.upload;
    expect(await openUploads()).toContain(upload.upload_id);
    const aborted = await api.post(`/api/v1/runs/${runId}/artifacts/abort`, {
      path: 'data/aborted.bin',
      upload_id: upload.upload_id,
    });
    expect(aborted.status).toBe(200);
    expect(aborted.body).toEqual({ path: 'data/aborted.bin', upload_id: upload.upload_id, status: 'ABORTED' });
    // S3 no longer knows the upload, and the artifact is gone.
    expect(await openUploads()).not.toContain(upload.upload_id);
    const listed = await api.get(`/api/v1/runs/${runId}/artifacts?prefix=data/aborted`);
    expect(listed.body.artifacts).toEqual([]);
    const again = await api.post(`/api/v1/runs/${runId}/artifacts/abort`, {
      path: 'data/aborted.bin',
      upload_id: upload.upload_id,
    });
    expect(again.status).toBe(404);
  });
});

describe('S3 refuses what was not signed', () => {
  const singlePlan = async (path: string, bytes: Buffer, sha256 = true) => {
    const planned = await plan(runId, {
      path,
      artifact_type: 'other',
      size_bytes: bytes.length,
      ...(sha256 ? { sha256: sha256Hex(bytes) } : {}),
    });
    expect(planned.status).toBe(201);
    return planned.body.upload as { url: string; headers: Record<string, string> };
  };

  test('a tampered signature, path or run id is refused, and nothing is stored', async () => {
    const bytes = randomBytes(1000);
    const upload = await singlePlan('tamper/a.bin', bytes);
    const otherRun = await newRun('victim');
    const tampered = [
      upload.url.replace(/X-Amz-Signature=([0-9a-f])/, (_, c: string) => `X-Amz-Signature=${c === '0' ? '1' : '0'}`),
      upload.url.replace('tamper/a.bin', 'tamper/b.bin'),
      upload.url.replace(`/runs/${runId}/`, `/runs/${otherRun}/`),
      upload.url.replace('/artifacts/tamper/a.bin', '/a.bin'),
      upload.url.replace(/X-Amz-Expires=\d+/, 'X-Amz-Expires=604800'),
    ];
    for (const url of tampered) {
      const response = await fetch(url, { method: 'PUT', body: bytes, headers: upload.headers });
      expect(response.status, url).toBe(403);
    }
    const complete = await api.post(`/api/v1/runs/${runId}/artifacts/complete`, { path: 'tamper/a.bin' });
    expect(complete.status).toBe(409);
    expect(complete.body.error.code).toBe('artifact.upload_missing');
  });

  test('a body of another length is refused', async () => {
    const bytes = randomBytes(1000);
    const upload = await singlePlan('length/a.bin', bytes, false);
    for (const body of [Buffer.concat([bytes, Buffer.from('x')]), bytes.subarray(0, 999)]) {
      const response = await fetch(upload.url, { method: 'PUT', body, headers: upload.headers });
      expect(response.status).toBe(403);
    }
    expect((await api.post(`/api/v1/runs/${runId}/artifacts/complete`, { path: 'length/a.bin' })).status).toBe(409);
  });

  test('with a declared sha256, other content or a missing checksum header is refused', async () => {
    const bytes = randomBytes(1000);
    const upload = await singlePlan('checksum/a.bin', bytes);
    expect(upload.headers['x-amz-checksum-sha256']).toBe(Buffer.from(sha256Hex(bytes), 'hex').toString('base64'));
    const other = randomBytes(1000);
    expect((await fetch(upload.url, { method: 'PUT', body: other, headers: upload.headers })).status).toBe(400);
    const { 'x-amz-checksum-sha256': _checksum, ...withoutChecksum } = upload.headers;
    expect((await fetch(upload.url, { method: 'PUT', body: bytes, headers: withoutChecksum })).status).toBe(403);
    expect(
      (
        await fetch(upload.url, {
          method: 'PUT',
          body: bytes,
          headers: { ...upload.headers, 'content-type': 'text/html' },
        })
      ).status,
    ).toBe(403);
    expect((await api.post(`/api/v1/runs/${runId}/artifacts/complete`, { path: 'checksum/a.bin' })).status).toBe(409);
    expect((await fetch(upload.url, { method: 'PUT', body: bytes, headers: upload.headers })).status).toBe(200);
  });

  test('a part of another length is refused', async () => {
    // The small last part, so that S3's early answer does not race a large body still being sent.
    const planned = await plan(runId, { path: 'length/parts.bin', artifact_type: 'data', size_bytes: 10 * MiB + 100 });
    const last = planned.body.upload.parts[2];
    expect(last.size_bytes).toBe(100);
    for (const size of [99, 101]) {
      expect((await fetch(last.url, { method: 'PUT', body: Buffer.alloc(size) })).status).toBe(403);
    }
    expect((await fetch(last.url, { method: 'PUT', body: Buffer.alloc(100) })).status).toBe(200);
  });
});

describe('paths and lifecycle', () => {
  test.each([
    ['../escape.bin', "'..' segments"],
    ['models/../../other-run/x', "'..' segments"],
    ['/etc/passwd', 'relative'],
    ['a//b', 'empty segments'],
    ['a/', 'empty segments'],
    ['a/./b', "'.' segments"],
    ['a\\b', 'backslashes'],
    ['bad\u0000name', 'control characters'],
    ['line\nbreak', 'control characters'],
    ['x'.repeat(513), 'at most 512 bytes'],
    ['é'.repeat(300), 'at most 512 bytes'],
    ['', 'empty'],
  ])('path %j is refused with 400 naming path', async (path, why) => {
    const response = await plan(runId, { path, artifact_type: 'other', size_bytes: 1 });
    expect(response.status).toBe(400);
    expect(response.body.error.message).toMatch(/^(body\.)?path: /);
    expect(response.body.error.message).toContain(why);
  });

  test('completing an upload that never happened is refused and records nothing', async () => {
    await plan(runId, { path: 'never/uploaded.bin', artifact_type: 'other', size_bytes: 5 });
    const response = await api.post(`/api/v1/runs/${runId}/artifacts/complete`, { path: 'never/uploaded.bin' });
    expect(response.status).toBe(409);
    expect(response.body.error.code).toBe('artifact.upload_missing');
    const listed = await api.get(`/api/v1/runs/${runId}/artifacts?prefix=never/`);
    expect(listed.body.artifacts.map((a: { status: string }) => a.status)).toEqual(['PENDING']);
    const unknown = await api.post(`/api/v1/runs/${runId}/artifacts/complete`, { path: 'never/planned.bin' });
    expect(unknown.status).toBe(404);
    const download = await api.get(`/api/v1/runs/${runId}/artifacts/download?path=never/uploaded.bin`);
    expect(download.status).toBe(409);
    expect(download.body.error.code).toBe('artifact.not_complete');
  });

  test('a complete path is immutable (409); a pending one can be planned again', async () => {
    const again = await plan(runId, { path: 'models/model.pkl', artifact_type: 'model', size_bytes: 3 });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('artifact.exists');

    const first = await plan(runId, { path: 'retry/a.bin', artifact_type: 'other', size_bytes: 10 * MiB });
    const second = await plan(runId, { path: 'retry/a.bin', artifact_type: 'other', size_bytes: 4 });
    expect(second.status).toBe(201);
    expect(second.body.upload.kind).toBe('single');
    // The first plan's multipart upload was aborted.
    expect(await openUploads()).not.toContain(first.body.upload.upload_id);
    await fetch(second.body.upload.url, {
      method: 'PUT',
      body: Buffer.from('abcd'),
      headers: second.body.upload.headers,
    });
    expect((await api.post(`/api/v1/runs/${runId}/artifacts/complete`, { path: 'retry/a.bin' })).body).toMatchObject({
      status: 'COMPLETE',
      size_bytes: 4,
    });
  });

  test('list in path order, with a prefix, across pages', async () => {
    const run = await newRun('listing');
    const paths = ['plots/roc.png', 'plots/a.png', 'data/x.csv', 'plots/sub/deep.png', 'plots/z.png', 'report.html'];
    for (const path of paths) {
      expect((await plan(run, { path, artifact_type: 'plot', size_bytes: 1 })).status).toBe(201);
    }
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const query = `prefix=plots/&max_results=2${token ? `&page_token=${encodeURIComponent(token)}` : ''}`;
      const page = await api.get(`/api/v1/runs/${run}/artifacts?${query}`);
      expect(page.status).toBe(200);
      const body = artifactListResponse.parse(page.body);
      expect(body.artifacts.length).toBeLessThanOrEqual(2);
      seen.push(...body.artifacts.map((artifact) => artifact.path));
      token = body.next_page_token;
      pages++;
    } while (token && pages < 10);
    expect(seen).toEqual(['plots/a.png', 'plots/roc.png', 'plots/sub/deep.png', 'plots/z.png']);
    expect(pages).toBeGreaterThanOrEqual(2);
    const all = await api.get(`/api/v1/runs/${run}/artifacts`);
    expect(all.body.artifacts.map((a: { path: string }) => a.path)).toEqual([...paths].sort());

    const firstPage = await api.get(`/api/v1/runs/${run}/artifacts?max_results=1`);
    const reused = await api.get(
      `/api/v1/runs/${runId}/artifacts?page_token=${encodeURIComponent(firstPage.body.next_page_token)}`,
    );
    expect(reused.status).toBe(400);
    expect(reused.body.error.code).toBe('page_token.invalid');
  });

  test('delimiter=/ lists one folder level, subfolders once each however many files they hold, across pages', async () => {
    const run = await newRun('levels');
    const deep = Array.from({ length: 40 }, (_, index) => `plots/sub/epoch-${index}.png`);
    // '-' sorts before '/' and '0' right after it: the neighbours a folder's jump must not swallow or skip.
    const paths = ['plots-old/a.png', 'plots/a.png', ...deep, 'plots/z.png', 'plots/sub2/x.png', 'plots0', 'README.md'];
    await Promise.all(
      paths.map(async (path) =>
        expect((await plan(run, { path, artifact_type: 'plot', size_bytes: 1 })).status).toBe(201),
      ),
    );
    const level = async (prefix: string | undefined, pageSize: number) => {
      const files: string[] = [];
      const folders: string[] = [];
      let token: string | undefined;
      let pages = 0;
      do {
        const query = new URLSearchParams({ delimiter: '/', max_results: String(pageSize) });
        if (prefix !== undefined) query.set('prefix', prefix);
        if (token) query.set('page_token', token);
        const page = await api.get(`/api/v1/runs/${run}/artifacts?${query}`);
        expect(page.status, JSON.stringify(page.body)).toBe(200);
        const body = artifactListResponse.parse(page.body);
        expect(body.artifacts.length + (body.folders ?? []).length).toBeLessThanOrEqual(pageSize);
        files.push(...body.artifacts.map((artifact) => artifact.path));
        folders.push(...(body.folders ?? []));
        token = body.next_page_token;
        pages++;
      } while (token && pages < 20);
      return { files, folders, pages };
    };

    const root = await level(undefined, 1000);
    expect(root).toEqual({ files: ['README.md', 'plots0'], folders: ['plots-old', 'plots'], pages: 1 });
    const plots = await level('plots/', 1000);
    expect(plots).toEqual({ files: ['plots/a.png', 'plots/z.png'], folders: ['plots/sub', 'plots/sub2'], pages: 1 });
    // A folder named without its slash is the same folder.
    expect(await level('plots', 1000)).toEqual(plots);
    const paged = await level('plots/', 1);
    expect({ files: paged.files, folders: paged.folders, pages: paged.pages }).toEqual({ ...plots, pages: 4 });
    expect((await level('plots/sub/', 15)).files).toEqual([...deep].sort());
    expect(await level('nothing/', 10)).toEqual({ files: [], folders: [], pages: 1 });

    const first = await api.get(`/api/v1/runs/${run}/artifacts?delimiter=/&prefix=plots/&max_results=1`);
    const elsewhere = await api.get(
      `/api/v1/runs/${run}/artifacts?delimiter=/&max_results=1&page_token=${encodeURIComponent(first.body.next_page_token)}`,
    );
    expect(elsewhere.status).toBe(400);
    expect(elsewhere.body.error.code).toBe('page_token.invalid');
    expect((await api.get(`/api/v1/runs/${run}/artifacts?delimiter=%2C`)).status).toBe(400);
  });

  test('an unknown run is a 404 on every artifact route', async () => {
    const missing = '0'.repeat(32);
    expect((await plan(missing, { path: 'a', artifact_type: 'other', size_bytes: 1 })).status).toBe(404);
    expect((await api.get(`/api/v1/runs/${missing}/artifacts`)).status).toBe(404);
    expect((await api.get(`/api/v1/runs/${missing}/artifacts/download?path=a`)).status).toBe(404);
    expect((await api.post(`/api/v1/runs/${missing}/artifacts/complete`, { path: 'a' })).status).toBe(404);
    expect((await api.post(`/api/v1/runs/${missing}/artifacts/abort`, { path: 'a', upload_id: 'u' })).status).toBe(404);
  });
});

test("another workspace's artifacts are 404 on every route", async () => {
  const other = await api.post('/api/v1/admin/workspaces', { workspace_id: 'artifact-outsiders' });
  const outsider = apiClient(stack.url, other.body.admin_token.token);
  const attempts = [
    await outsider.post(`/api/v1/runs/${runId}/artifacts`, {
      path: 'stolen.bin',
      artifact_type: 'other',
      size_bytes: 1,
    }),
    await outsider.post(`/api/v1/runs/${runId}/artifacts/complete`, { path: 'models/model.pkl' }),
    await outsider.post(`/api/v1/runs/${runId}/artifacts/abort`, { path: 'models/model.pkl', upload_id: 'x' }),
    await outsider.get(`/api/v1/runs/${runId}/artifacts`),
    await outsider.get(`/api/v1/runs/${runId}/artifacts/download?path=models/model.pkl`),
    await outsider.get(`/api/v1/runs/${runId}/artifacts/download?path=models/model.pkl&redirect=true`),
  ];
  for (const attempt of attempts) expect(attempt.status).toBe(404);
  const listed = await api.get(`/api/v1/runs/${runId}/artifacts?prefix=stolen`);
  expect(listed.body.artifacts).toEqual([]);
});
