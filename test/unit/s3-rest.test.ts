import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GetObjectCommand, PutObjectCommand, S3Client, UploadPartCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { afterEach, describe, expect, test } from 'vitest';
import { ArtifactObjectStore } from '../../shared/storage/artifact-store.ts';
import { S3RestClient, S3ServiceError } from '../../shared/storage/s3-rest.ts';

/**
 * The artifact store signs its own S3 requests (shared/storage/s3-rest.ts).
 * Its presigned URLs must be exactly what the SDK's presigner produces for
 * the same request, key and time; the integration tests then show versitygw
 * (which checks signatures) accepting the calls themselves.
 */
const credentials = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
  sessionToken: 'session/token+=',
};
const signingDate = new Date('2026-11-28T10:00:00Z');
const keys = [
  'ws/default/run/0123/artifacts/model.pkl',
  'ws/default/run/0123/artifacts/a folder/with spaces & (parens) + plus!.txt',
  "ws/default/run/0123/artifacts/ünïcödé/日本語/it's~*.csv",
];

const endpoints = [
  { name: 'a local endpoint (path-style)', endpoint: 'http://127.0.0.1:9000' },
  { name: 'AWS (virtual-hosted)', endpoint: undefined },
];

describe.each(endpoints)('presigned URLs on $name match the SDK', ({ endpoint }) => {
  const sdk = new S3Client({
    region: 'eu-west-1',
    credentials,
    ...(endpoint ? { endpoint, forcePathStyle: true } : {}),
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  const ours = new S3RestClient({ region: 'eu-west-1', endpoint, credentials: async () => credentials });

  test.each(keys)('PUT with length, type and SHA-256: %s', async (key) => {
    const sha256 = 'n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg=';
    const expected = await getSignedUrl(
      sdk,
      new PutObjectCommand({
        Bucket: 'artifacts',
        Key: key,
        ContentLength: 12,
        ContentType: 'text/csv',
        ChecksumSHA256: sha256,
      }),
      {
        expiresIn: 900,
        signingDate,
        signableHeaders: new Set(['content-length', 'content-type', 'x-amz-checksum-sha256']),
        unhoistableHeaders: new Set(['x-amz-checksum-sha256']),
      },
    );
    const actual = await ours.presign({
      command: 'PutObjectCommand',
      method: 'PUT',
      bucket: 'artifacts',
      key,
      query: { 'x-id': 'PutObject' },
      headers: { 'content-length': '12', 'content-type': 'text/csv', 'x-amz-checksum-sha256': sha256 },
      expiresInSeconds: 900,
      signableHeaders: new Set(['content-length', 'content-type', 'x-amz-checksum-sha256']),
      unhoistableHeaders: new Set(['x-amz-checksum-sha256']),
      signingDate,
    });
    expect(actual).toBe(expected);
  });

  test.each(keys)('multipart part: %s', async (key) => {
    const expected = await getSignedUrl(
      sdk,
      new UploadPartCommand({
        Bucket: 'artifacts',
        Key: key,
        UploadId: 'up/load+id=',
        PartNumber: 7,
        ContentLength: 5242880,
      }),
      { expiresIn: 300, signingDate, signableHeaders: new Set(['content-length']) },
    );
    const actual = await ours.presign({
      command: 'UploadPartCommand',
      method: 'PUT',
      bucket: 'artifacts',
      key,
      query: { 'x-id': 'UploadPart', partNumber: '7', uploadId: 'up/load+id=' },
      headers: { 'content-length': '5242880' },
      expiresInSeconds: 300,
      signableHeaders: new Set(['content-length']),
      signingDate,
    });
    expect(actual).toBe(expected);
  });

  test.each(keys)('GET with a download file name: %s', async (key) => {
    const disposition = `attachment; filename*=UTF-8''${encodeURIComponent(key.split('/').at(-1)!)}`;
    const expected = await getSignedUrl(
      sdk,
      new GetObjectCommand({ Bucket: 'artifacts', Key: key, ResponseContentDisposition: disposition }),
      { expiresIn: 900, signingDate },
    );
    const actual = await ours.presign({
      command: 'GetObjectCommand',
      method: 'GET',
      bucket: 'artifacts',
      key,
      query: { 'response-content-disposition': disposition, 'x-id': 'GetObject' },
      expiresInSeconds: 900,
      signingDate,
    });
    expect(actual).toBe(expected);
  });
});

describe('calls', () => {
  let server: Server | undefined;
  afterEach(() => {
    server?.closeAllConnections();
    server?.close();
    server = undefined;
  });
  const seen: Array<{ method: string; url: string; headers: IncomingMessage['headers']; body: string }> = [];
  async function serve(status: number, body: string) {
    server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        seen.push({
          method: request.method!,
          url: request.url!,
          headers: request.headers,
          body: Buffer.concat(chunks).toString(),
        });
        response.writeHead(status, { 'content-type': 'application/xml' });
        response.end(body);
      });
    });
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return new ArtifactObjectStore(
      new S3RestClient({ region: 'us-east-1', endpoint, credentials: async () => credentials }),
      'artifacts',
      900,
    );
  }

  test('completing sends the parts as XML, escaped, and signs the call', async () => {
    const store = await serve(200, '<CompleteMultipartUploadResult><ETag>"x"</ETag></CompleteMultipartUploadResult>');
    await store.completeMultipartUpload('a b/c', 'upload+1', [
      { partNumber: 1, etag: '"etag-1"' },
      { partNumber: 2, etag: '"<&>"' },
    ]);
    const request = seen.at(-1)!;
    expect(request.method).toBe('POST');
    expect(request.url).toBe('/artifacts/a%20b/c?uploadId=upload%2B1');
    expect(request.body).toContain('<Part><ETag>&quot;etag-1&quot;</ETag><PartNumber>1</PartNumber></Part>');
    expect(request.body).toContain('<ETag>&quot;&lt;&amp;&gt;&quot;</ETag>');
    expect(request.headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/us-east-1\/s3\/aws4_request, SignedHeaders=[^,]*host[^,]*x-amz-content-sha256[^,]*, Signature=[0-9a-f]{64}$/,
    );
    expect(request.headers['x-amz-security-token']).toBe(credentials.sessionToken);
    expect(request.headers['x-amz-content-sha256']).toMatch(/^[0-9a-f]{64}$/);
  });

  test('a 200 that carries an <Error> is a failure, and S3 error codes become domain errors', async () => {
    const late = await serve(
      200,
      '<?xml version="1.0"?><Error><Code>InvalidPart</Code><Message>bad part</Message></Error>',
    );
    await expect(late.completeMultipartUpload('k', 'u', [{ partNumber: 1, etag: 'e' }])).rejects.toMatchObject({
      code: 'parts.invalid',
    });
    server?.close();
    const gone = await serve(404, '<Error><Code>NoSuchUpload</Code><Message>gone</Message></Error>');
    await expect(gone.completeMultipartUpload('k', 'u', [{ partNumber: 1, etag: 'e' }])).rejects.toMatchObject({
      code: 'artifact.upload_missing',
    });
    // Aborting an upload that is already gone is fine.
    await expect(gone.abortMultipartUpload('k', 'u')).resolves.toBeUndefined();
  });

  test('head: the size, or nothing for a missing object (404, or 403 without ListBucket)', async () => {
    const missing = await serve(403, '');
    await expect(missing.head('k')).resolves.toBeUndefined();
    server?.close();
    const present = await serve(200, '');
    // Node computes the length of the empty body; a real HEAD answers the object's.
    await expect(present.head('k')).resolves.toEqual({ sizeBytes: 0 });
  });

  test('an upload id is read from the XML answer', async () => {
    const store = await serve(
      200,
      '<InitiateMultipartUploadResult><Bucket>artifacts</Bucket><Key>k</Key><UploadId>abc.def-123</UploadId></InitiateMultipartUploadResult>',
    );
    await expect(store.createMultipartUpload('k', 'text/plain')).resolves.toBe('abc.def-123');
    expect(seen.at(-1)!.url).toBe('/artifacts/k?uploads=');
  });

  test('errors keep S3 code and status, for the outage classifier', () => {
    const error = new S3ServiceError('SlowDown', 'slow down', 503);
    expect(error.name).toBe('SlowDown');
    expect(error.$metadata.httpStatusCode).toBe(503);
  });
});
