import { CreateBucketCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { ArtifactObjectStore } from '../../shared/storage/artifact-store.ts';
import { S3RestClient } from '../../shared/storage/s3-rest.ts';

/**
 * The artifact store's own S3 calls and URLs on the S3 server that checks
 * signatures (versitygw): deletes of one object and of a run's prefix (listed
 * page by page, keys that need encoding included), conditional and
 * unconditional PUT URLs, and part URLs with and without a signed length.
 */
const bucket = `store-${Date.now().toString(36)}`;
let sdk: S3Client;
let rest: S3RestClient;
let store: ArtifactObjectStore;

beforeAll(async () => {
  const { endpoint, credentials } = inject('s3');
  // The SDK's client arranges and checks; the store under test never uses it.
  sdk = new S3Client({ endpoint, credentials, region: 'us-east-1', forcePathStyle: true });
  await sdk.send(new CreateBucketCommand({ Bucket: bucket }));
  rest = new S3RestClient({ region: 'us-east-1', endpoint, credentials: async () => credentials });
  store = new ArtifactObjectStore(rest, bucket, 300);
});

afterAll(() => {
  sdk?.destroy();
  rest?.destroy();
});

const putObject = (key: string, body = 'x') => sdk.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
const keysUnder = async (prefix: string) =>
  ((await sdk.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }))).Contents ?? []).map(
    (object) => object.Key,
  );

describe('deletes', () => {
  test('delete removes one object; a missing one is no error', async () => {
    await putObject('one/stale.bin');
    await store.delete('one/stale.bin');
    expect(await store.head('one/stale.bin')).toBeUndefined();
    await expect(store.delete('one/never-there.bin')).resolves.toBeUndefined();
  });

  test('deletePrefix removes every object under the prefix, page by page, and nothing else', async () => {
    const run = 'ws/w1/exp/1/run/r1/';
    const names = [
      'a.txt',
      'a folder/with space.txt',
      'plus+sign.txt',
      'ünïcödé/日本語.csv',
      'amp&lt<gt>.bin',
      "it's~*.pkl",
    ];
    await Promise.all(names.map((name) => putObject(`${run}${name}`)));
    // A neighbour whose key shares the prefix's text but not its folder, and another run.
    await putObject('ws/w1/exp/1/run/r10/kept.txt');
    await putObject('ws/w1/exp/1/run/r2/kept.txt');

    await expect(store.deletePrefix(run, 2)).resolves.toBe(names.length);
    expect(await keysUnder(run)).toEqual([]);
    expect(await keysUnder('ws/w1/exp/1/run/')).toEqual([
      'ws/w1/exp/1/run/r10/kept.txt',
      'ws/w1/exp/1/run/r2/kept.txt',
    ]);
    await expect(store.deletePrefix(run)).resolves.toBe(0);
  });
});

describe('PUT URLs', () => {
  const upload = (put: { url: string; headers: Record<string, string> }, body: string) =>
    fetch(put.url, { method: 'PUT', headers: put.headers, body }).then((response) => response.status);

  test('with If-None-Match, the object cannot be replaced through the URL', async () => {
    const put = await store.presignPut('put/guarded.txt', {
      sizeBytes: 5,
      contentType: 'text/plain',
      sha256Base64: undefined,
      ifNoneMatch: true,
    });
    expect(await upload(put, 'first')).toBe(200);
    expect(await upload(put, 'again')).toBe(412);
    // Dropping the signed header breaks the signature rather than lifting the guard.
    const { 'if-none-match': _dropped, ...unguarded } = put.headers;
    expect(await upload({ url: put.url, headers: unguarded }, 'third')).toBe(403);
  });

  test('without it (MLflow’s redirected PUT), the URL is still signed for length and type', async () => {
    const put = await store.presignPut('put/plain.txt', {
      sizeBytes: 5,
      contentType: 'text/plain',
      sha256Base64: undefined,
      ifNoneMatch: false,
    });
    expect(put.headers).toEqual({ 'content-type': 'text/plain' });
    expect(await upload(put, 'first')).toBe(200);
    expect(await upload(put, 'again')).toBe(200);
    expect(await upload(put, 'too long')).toBe(403);
  });
});

describe('multipart part URLs', () => {
  test('a part URL without a length takes a part of a size never signed; with one, only that size', async () => {
    const uploadId = await store.createMultipartUpload('parts/model.bin', 'application/octet-stream');
    const free = await store.presignPart('parts/model.bin', uploadId, 1, undefined);
    const sized = await store.presignPart('parts/model.bin', uploadId, 2, 4);
    const send = (url: string, body: string | Buffer) => fetch(url, { method: 'PUT', body });
    // Every part but the last is at least 5 MiB; this one's length was never signed.
    const firstBytes = Buffer.alloc(5 * 1024 * 1024 + 3, 7);
    const first = await send(free, firstBytes);
    expect(first.status).toBe(200);
    expect((await send(sized, 'five!')).status).toBe(403);
    const second = await send(sized, 'four');
    expect(second.status).toBe(200);
    await store.completeMultipartUpload('parts/model.bin', uploadId, [
      { partNumber: 1, etag: first.headers.get('etag')! },
      { partNumber: 2, etag: second.headers.get('etag')! },
    ]);
    expect(await store.head('parts/model.bin')).toEqual({ sizeBytes: firstBytes.length + 4 });
  });
});
