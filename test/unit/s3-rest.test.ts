import { createHash } from 'node:crypto';
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

/**
 * The store's own URLs, against what the SDK-based store produced (the same
 * commands and presigner options), with the signing time pinned on both sides.
 */
describe.each(endpoints)('the artifact store presigns on $name as the SDK did', ({ endpoint }) => {
  const sdk = new S3Client({
    region: 'eu-west-1',
    credentials,
    ...(endpoint ? { endpoint, forcePathStyle: true } : {}),
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  const store = new ArtifactObjectStore(
    new S3RestClient({ region: 'eu-west-1', endpoint, credentials: async () => credentials }),
    'artifacts',
    900,
    () => signingDate,
  );
  const sha256 = 'n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg=';
  const putCases = keys.flatMap((key) =>
    [true, false].flatMap((ifNoneMatch) =>
      [sha256, undefined].map((sha256Base64) => ({ key, ifNoneMatch, sha256Base64 })),
    ),
  );

  test.each(putCases)('PUT $key, If-None-Match $ifNoneMatch, sha256 $sha256Base64', async (object) => {
    const expected = await getSignedUrl(
      sdk,
      new PutObjectCommand({
        Bucket: 'artifacts',
        Key: object.key,
        ContentLength: 12,
        ContentType: 'text/csv',
        ...(object.ifNoneMatch ? { IfNoneMatch: '*' } : {}),
        ...(object.sha256Base64 ? { ChecksumSHA256: object.sha256Base64 } : {}),
      }),
      {
        expiresIn: 900,
        signingDate,
        signableHeaders: new Set(['content-length', 'content-type', 'if-none-match', 'x-amz-checksum-sha256']),
        unhoistableHeaders: new Set(['if-none-match', 'x-amz-checksum-sha256']),
      },
    );
    const put = await store.presignPut(object.key, {
      sizeBytes: 12,
      contentType: 'text/csv',
      sha256Base64: object.sha256Base64,
      ifNoneMatch: object.ifNoneMatch,
    });
    expect(put.url).toBe(expected);
    // The client sends exactly the signed headers but the length (its HTTP library sets that from the body).
    expect(put.headers).toEqual({
      'content-type': 'text/csv',
      ...(object.ifNoneMatch ? { 'if-none-match': '*' } : {}),
      ...(object.sha256Base64 ? { 'x-amz-checksum-sha256': object.sha256Base64 } : {}),
    });
    const signed = new URL(put.url).searchParams.get('X-Amz-SignedHeaders')?.split(';');
    expect(signed?.includes('if-none-match')).toBe(object.ifNoneMatch);
  });

  test.each(keys)('part with and without a known length: %s', async (key) => {
    for (const sizeBytes of [5242880, undefined]) {
      const expected = await getSignedUrl(
        sdk,
        new UploadPartCommand({
          Bucket: 'artifacts',
          Key: key,
          UploadId: 'up/load+id=',
          PartNumber: 3,
          ...(sizeBytes === undefined ? {} : { ContentLength: sizeBytes }),
        }),
        {
          expiresIn: 900,
          signingDate,
          ...(sizeBytes === undefined ? {} : { signableHeaders: new Set(['content-length']) }),
        },
      );
      expect(await store.presignPart(key, 'up/load+id=', 3, sizeBytes)).toBe(expected);
    }
  });

  test.each(keys)('GET: %s', async (key) => {
    const name = key.split('/').at(-1)!;
    const expected = await getSignedUrl(
      sdk,
      new GetObjectCommand({
        Bucket: 'artifacts',
        Key: key,
        ResponseContentDisposition: `attachment; filename*=UTF-8''${encodeURIComponent(name)}`,
      }),
      { expiresIn: 900, signingDate },
    );
    expect(await store.presignGet(key, name)).toBe(expected);
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
  async function serve(status: number, body: string | ((request: { method: string; url: string }) => string)) {
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
        response.end(typeof body === 'string' ? body : body({ method: request.method!, url: request.url! }));
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

  test('delete removes one object', async () => {
    const store = await serve(204, '');
    await store.delete('runs/a b/model.pkl');
    expect(seen.at(-1)).toMatchObject({ method: 'DELETE', url: '/artifacts/runs/a%20b/model.pkl?x-id=DeleteObject' });
  });

  test('deletePrefix lists page by page and deletes each page, XML-escaped, with its MD5', async () => {
    const listed = (keys: string[], next?: string) =>
      `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult><Name>artifacts</Name><Prefix>run/1/</Prefix>${keys
        .map((key) => `<Contents><Key>${key}</Key><Size>1</Size></Contents>`)
        .join('')}<IsTruncated>${next ? 'true' : 'false'}</IsTruncated>${
        next ? `<NextContinuationToken>${next}</NextContinuationToken>` : ''
      }</ListBucketResult>`;
    const store = await serve(200, ({ method, url }) => {
      if (method === 'POST') return '<?xml version="1.0" encoding="UTF-8"?><DeleteResult></DeleteResult>';
      return url.includes('continuation-token=')
        ? listed(['run/1/c&amp;d&lt;&#233;.txt'])
        : listed(['run/1/a b.txt', 'run/1/x+yü.bin'], 'page+2/=');
    });
    seen.length = 0;
    await expect(store.deletePrefix('run/1/', 2)).resolves.toBe(3);
    expect(seen.map((request) => `${request.method} ${request.url}`)).toEqual([
      'GET /artifacts?list-type=2&max-keys=2&prefix=run%2F1%2F',
      'POST /artifacts?delete=',
      'GET /artifacts?continuation-token=page%2B2%2F%3D&list-type=2&max-keys=2&prefix=run%2F1%2F',
      'POST /artifacts?delete=',
    ]);
    const deletes = seen.filter((request) => request.method === 'POST');
    expect(deletes[0]!.body).toContain(
      '<Quiet>true</Quiet><Object><Key>run/1/a b.txt</Key></Object><Object><Key>run/1/x+yü.bin</Key></Object></Delete>',
    );
    expect(deletes[1]!.body).toContain('<Object><Key>run/1/c&amp;d&lt;é.txt</Key></Object>');
    for (const request of deletes) {
      expect(request.headers['content-md5']).toBe(createHash('md5').update(request.body).digest('base64'));
    }
  });

  test('deletePrefix: an empty prefix listing deletes nothing; a key S3 keeps is an error', async () => {
    const empty = await serve(200, '<ListBucketResult><IsTruncated>false</IsTruncated></ListBucketResult>');
    seen.length = 0;
    await expect(empty.deletePrefix('run/none/')).resolves.toBe(0);
    expect(seen.map((request) => request.method)).toEqual(['GET']);
    server?.close();
    const kept = await serve(200, ({ method }) =>
      method === 'POST'
        ? '<DeleteResult><Error><Key>run/1/a</Key><Code>AccessDenied</Code><Message>no</Message></Error></DeleteResult>'
        : '<ListBucketResult><Contents><Key>run/1/a</Key></Contents><IsTruncated>false</IsTruncated></ListBucketResult>',
    );
    await expect(kept.deletePrefix('run/1/')).rejects.toThrow('S3 kept 1 objects under run/1/: AccessDenied');
  });

  test('errors keep S3 code and status, for the outage classifier', () => {
    const error = new S3ServiceError('SlowDown', 'slow down', 503);
    expect(error.name).toBe('SlowDown');
    expect(error.$metadata.httpStatusCode).toBe(503);
  });
});
