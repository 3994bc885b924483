import { createHash } from 'node:crypto';
import { AbortMultipartUploadCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { beforeAll, describe, expect, inject, test } from 'vitest';
import type { Artifact } from '../../shared/domain/artifacts.ts';
import { ArtifactRepository } from '../../shared/storage/artifact-repository.ts';
import { tableDocumentClient, useTestStack } from '../support/local-api.ts';

/**
 * MLflow's redirected artifact PUT, on the S3 server that checks signatures.
 * The stock client follows the 307 without adding headers, so its URL cannot
 * carry `If-None-Match: *`; it is instead the only part of a multipart upload
 * that the service completes when it next looks. A settled artifact therefore
 * cannot be replaced through any URL handed out for it, whichever route settled
 * it (listing, download, registration), and an earlier plan's URL is dead.
 */
const local = useTestStack();
let runId: string;
let experimentId: string;

beforeAll(async () => {
  const run = (await local.api.post('/api/v1/runs', { experiment_name: 'mlflow-immutable' })).body;
  runId = run.run_id;
  experimentId = run.experiment_id;
});

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const proxied = (path: string) => `/api/2.0/mlflow-artifacts/artifacts/${experimentId}/${runId}/artifacts/${path}`;

/** The client's PUT, answered with a redirect (or, for an empty file, stored at once). */
async function redirectedPut(path: string, body: string) {
  const response = await fetch(`${local.stack.url}${proxied(path)}`, {
    method: 'PUT',
    redirect: 'manual',
    headers: { authorization: `Bearer ${local.stack.token}`, 'content-type': 'text/plain' },
    body,
  });
  return {
    status: response.status,
    location: response.headers.get('location') ?? undefined,
    text: await response.text(),
  };
}

/** What `requests` does with the 307: the same body to the new location, without Authorization. */
const follow = (location: string, body: string) =>
  fetch(location, { method: 'PUT', headers: { 'content-type': 'text/plain' }, body }).then(
    (response) => response.status,
  );

async function listed(path: string) {
  const page = await local.api.get(`/api/v1/runs/${runId}/artifacts?prefix=${encodeURIComponent(path)}`);
  expect(page.status).toBe(200);
  return (page.body.artifacts as Array<{ path: string; status: string; size_bytes: number }>).find(
    (artifact) => artifact.path === path,
  );
}

async function download(path: string): Promise<string> {
  const response = await fetch(`${local.stack.url}${proxied(path)}`, {
    redirect: 'manual',
    headers: { authorization: `Bearer ${local.stack.token}` },
  });
  expect(response.status).toBe(302);
  return (await fetch(response.headers.get('location') as string)).text();
}

describe('a redirected MLflow PUT', () => {
  test('goes to one part of an upload the service completes; afterwards its URL writes nothing', async () => {
    const put = await redirectedPut('model/weights.txt', 'first');
    expect(put.status).toBe(307);
    expect(put.location).toMatch(/[?&]partNumber=1&/);
    expect(put.location).toMatch(/[?&]uploadId=/);
    expect(await follow(put.location as string, 'first')).toBe(200);

    // Until the service looks the path is PENDING; the listing settles it.
    expect(await listed('model/weights.txt')).toMatchObject({ status: 'COMPLETE', size_bytes: 5 });

    // The same, still-valid URL: its upload is completed, so S3 refuses the part (no such upload).
    const overwrite = await follow(put.location as string, 'SECND');
    expect(overwrite).toBeGreaterThanOrEqual(400);
    expect(overwrite).toBeLessThan(500);
    expect(await download('model/weights.txt')).toBe('first');

    // A new PUT of the path is refused as MLflow refuses it: the artifact exists.
    const again = await redirectedPut('model/weights.txt', 'SECND');
    expect(again.status).toBe(400);
    expect(JSON.parse(again.text)).toMatchObject({ error_code: 'RESOURCE_ALREADY_EXISTS' });
  });

  test('a part of another length is not settled, and the upload stays open for the right one', async () => {
    const put = await redirectedPut('short.txt', 'twelve bytes');
    // The part URL signs the length the client's PUT declared: S3 refuses another.
    expect(await follow(put.location as string, 'eleven byte')).toBe(403);
    expect(await listed('short.txt')).toMatchObject({ status: 'PENDING' });
    expect(await follow(put.location as string, 'twelve bytes')).toBe(200);
    expect(await listed('short.txt')).toMatchObject({ status: 'COMPLETE', size_bytes: 12 });
  });

  test("a pending path PUT again: the earlier URL's upload is aborted, the later one counts", async () => {
    const earlier = await redirectedPut('retried.txt', 'older');
    const later = await redirectedPut('retried.txt', 'newer');
    expect(later.status).toBe(307);
    expect(await follow(earlier.location as string, 'older')).toBe(404);
    expect(await follow(later.location as string, 'newer')).toBe(200);
    expect(await download('retried.txt')).toBe('newer');
    expect(await follow(later.location as string, 'older')).toBe(404);
    expect(await download('retried.txt')).toBe('newer');
  });

  test('concurrent settles complete the upload once and agree, keeping the bytes', async () => {
    // LocalStack's S3 stored an empty object when two completions of one upload overlapped (about one race in
    // two): the artifact then never settled and its bytes were gone. Eight paths, six settles each, one round.
    const paths = Array.from({ length: 8 }, (_, index) => `raced/${index}.txt`);
    for (const path of paths) {
      const put = await redirectedPut(path, `raced ${path}`);
      expect(await follow(put.location as string, `raced ${path}`)).toBe(200);
    }
    const seen = await Promise.all(paths.flatMap((path) => Array.from({ length: 6 }, () => listed(path))));
    expect(seen.map((artifact) => artifact?.status)).toEqual(Array(seen.length).fill('COMPLETE'));
    for (const path of paths) expect(await download(path)).toBe(`raced ${path}`);
  });

  test('a listing that finds neither the part nor the object waits for a completion under way', async () => {
    // The window the race above can land in: S3 already shows no upload (versitygw renames it away when
    // completion starts) and not yet the object. The test plays the completing request by hand: it claims
    // the completion on the record, the upload leaves S3, and only later are the object and record in.
    const repository = new ArtifactRepository(tableDocumentClient(local.stack), local.stack.tableName);
    const { endpoint, credentials } = inject('s3');
    const s3 = new S3Client({ endpoint, credentials, region: 'us-east-1', forcePathStyle: true });
    const Bucket = local.stack.artifactsBucket;
    const put = await redirectedPut('underway/model.bin', 'bytes under way');
    expect(await follow(put.location as string, 'bytes under way')).toBe(200);
    const pending = (await repository.get('default', runId, 'underway/model.bin')) as Artifact;
    const UploadId = pending.multipart?.uploadId as string;
    const claim = { uploadId: UploadId, now: Date.now(), leaseMs: 30_000 };
    expect(await repository.claimCompletion('default', runId, pending.path, claim)).toBe(true);
    await s3.send(new AbortMultipartUploadCommand({ Bucket, Key: pending.objectKey, UploadId }));

    const listing = listed('underway/model.bin');
    await new Promise((resolve) => setTimeout(resolve, 300));
    await s3.send(new PutObjectCommand({ Bucket, Key: pending.objectKey, Body: 'bytes under way' }));
    await repository.markComplete('default', runId, pending, Date.now());
    expect(await listing).toMatchObject({ status: 'COMPLETE', size_bytes: 15 });
    expect(await download('underway/model.bin')).toBe('bytes under way');
  });

  test('one listing settles a whole folder of them, a bounded number at a time', async () => {
    const files = Array.from({ length: 40 }, (_, index) => `folder/f${String(index).padStart(2, '0')}.txt`);
    await Promise.all(
      files.map(async (path) => {
        const put = await redirectedPut(path, path);
        expect(await follow(put.location as string, path)).toBe(200);
      }),
    );
    const page = await local.api.get(`/api/v1/runs/${runId}/artifacts?prefix=folder/`);
    expect(
      page.body.artifacts.map((artifact: { path: string; status: string }) => [artifact.path, artifact.status]),
    ).toEqual(files.map((path) => [path, 'COMPLETE']));
  });

  test('registration settles it too, and records the SHA-256 of the bytes that were sent', async () => {
    const put = await redirectedPut('registered/model.pkl', 'pickled');
    expect(await follow(put.location as string, 'pickled')).toBe(200);
    expect((await local.api.post('/api/v1/models', { name: 'redirected' })).status).toBe(201);
    const version = await local.api.post('/api/v1/models/redirected/versions', {
      run_id: runId,
      artifact_path: 'registered',
    });
    expect(version.status, JSON.stringify(version.body)).toBe(201);
    expect(version.body.files).toEqual([
      expect.objectContaining({
        path: 'model.pkl',
        size_bytes: 7,
        sha256: sha256('pickled'),
        sha256_source: 'computed',
      }),
    ]);
    expect(await follow(put.location as string, 'PICKLED')).toBe(404);
    expect(await download('registered/model.pkl')).toBe('pickled');
  });

  test('an empty file is stored at once, with no URL to write to', async () => {
    const put = await redirectedPut('empty/__init__.py', '');
    expect(put.status, JSON.stringify(put)).toBe(200);
    expect(put.location).toBeUndefined();
    expect(await listed('empty/__init__.py')).toMatchObject({ status: 'COMPLETE', size_bytes: 0 });
    expect(await download('empty/__init__.py')).toBe('');
    expect((await redirectedPut('empty/__init__.py', '')).status).toBe(400);
  });
});
