import { createHash } from 'node:crypto';
import { ConflictError, ValidationError } from '../errors.ts';
import { S3RestClient, type S3RestOptions, xmlEscape, xmlText, xmlTexts } from './s3-rest.ts';

export type S3ClientOptions = S3RestOptions;

/**
 * The S3 client for artifacts (shared/storage/s3-rest.ts: SigV4 over Node's
 * HTTP, a fraction of the SDK client's weight in every artifact function).
 * Checksums only where a call declares one: a presigned PUT signs the SHA-256
 * it was given, never a checksum of an empty body (shared/LOCAL-AWS.md).
 */
export function createS3Client(options: S3ClientOptions): S3RestClient {
  return new S3RestClient(options);
}

export interface PresignedPut {
  url: string;
  /** Headers the client must send with exactly these values: they are part of the signature. */
  headers: Record<string, string>;
}

export interface CompletedPart {
  partNumber: number;
  etag: string;
}

/**
 * The artifact bucket, seen by the use cases: presigned URLs for the bytes (which
 * never pass through the service) and the few calls the service makes itself.
 * S3 errors become domain errors here; no SDK type leaks out.
 */
export class ArtifactObjectStore {
  constructor(
    private readonly s3: S3RestClient,
    private readonly bucket: string,
    private readonly urlTtlSeconds: number,
    /** When URLs are signed; tests pin it to compare URLs with the SDK presigner's. */
    private readonly now: () => Date = () => new Date(),
  ) {}

  get urlLifetimeMs() {
    return this.urlTtlSeconds * 1000;
  }

  /**
   * A PUT URL that signs the length, the content type, `If-None-Match: *` and,
   * when given, the SHA-256 (headers, not hoisted into the query): S3 refuses a
   * body of another size or content, a request without those exact headers, and
   * (412) any PUT once an object is there, so a COMPLETE artifact can never be
   * overwritten through a URL that is still valid (conditional writes; the
   * local S3 server enforces them too). Without `ifNoneMatch` (a redirect the
   * client follows without adding headers) only the overwrite guard is lost.
   */
  async presignPut(
    key: string,
    object: { sizeBytes: number; contentType: string; sha256Base64: string | undefined; ifNoneMatch: boolean },
  ): Promise<PresignedPut> {
    const headers: Record<string, string> = {
      'content-length': String(object.sizeBytes),
      'content-type': object.contentType,
    };
    if (object.ifNoneMatch) headers['if-none-match'] = '*';
    if (object.sha256Base64) headers['x-amz-checksum-sha256'] = object.sha256Base64;
    const url = await this.s3.presign({
      command: 'PutObjectCommand',
      method: 'PUT',
      bucket: this.bucket,
      key,
      query: { 'x-id': 'PutObject' },
      headers,
      expiresInSeconds: this.urlTtlSeconds,
      signingDate: this.now(),
      signableHeaders: new Set(['content-length', 'content-type', 'if-none-match', 'x-amz-checksum-sha256']),
      unhoistableHeaders: new Set(['if-none-match', 'x-amz-checksum-sha256']),
    });
    // Everything signed but the length, which the client's HTTP library sets from the body.
    const clientHeaders: Record<string, string> = { 'content-type': object.contentType };
    if (object.ifNoneMatch) clientHeaders['if-none-match'] = '*';
    if (object.sha256Base64) clientHeaders['x-amz-checksum-sha256'] = object.sha256Base64;
    return { url, headers: clientHeaders };
  }

  async createMultipartUpload(key: string, contentType: string): Promise<string> {
    const response = await this.s3.send({
      command: 'CreateMultipartUploadCommand',
      method: 'POST',
      bucket: this.bucket,
      key,
      query: { uploads: '' },
      headers: { 'content-type': contentType },
    });
    const uploadId = xmlText(response.body, 'UploadId');
    if (!uploadId) throw new Error('S3 returned no UploadId');
    return uploadId;
  }

  /**
   * A part URL that signs the part's length when it is known. MLflow's client
   * chooses its own part sizes and does not say them: its part URLs sign none.
   */
  presignPart(key: string, uploadId: string, partNumber: number, sizeBytes: number | undefined): Promise<string> {
    return this.s3.presign({
      command: 'UploadPartCommand',
      method: 'PUT',
      bucket: this.bucket,
      key,
      query: { 'x-id': 'UploadPart', partNumber: String(partNumber), uploadId },
      expiresInSeconds: this.urlTtlSeconds,
      signingDate: this.now(),
      ...(sizeBytes === undefined
        ? {}
        : { headers: { 'content-length': String(sizeBytes) }, signableHeaders: new Set(['content-length']) }),
    });
  }

  async completeMultipartUpload(key: string, uploadId: string, parts: readonly CompletedPart[]): Promise<void> {
    const body = `<?xml version="1.0" encoding="UTF-8"?><CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${parts
      .map((part) => `<Part><ETag>${xmlEscape(part.etag)}</ETag><PartNumber>${part.partNumber}</PartNumber></Part>`)
      .join('')}</CompleteMultipartUpload>`;
    try {
      await this.s3.send({
        command: 'CompleteMultipartUploadCommand',
        method: 'POST',
        bucket: this.bucket,
        key,
        query: { uploadId },
        headers: { 'content-type': 'application/xml' },
        body,
      });
    } catch (error) {
      switch (errorName(error)) {
        case 'NoSuchUpload':
          throw new ConflictError('artifact.upload_missing', `upload_id: no open upload '${uploadId}' for this path`);
        case 'InvalidPart':
          throw new ValidationError('parts: a part was not uploaded, or its etag does not match', 'parts.invalid');
        case 'InvalidPartOrder':
          throw new ValidationError('parts: must be in ascending part_number order', 'parts.invalid');
        case 'EntityTooSmall':
          throw new ValidationError('parts: every part but the last must be at least 5 MiB', 'parts.invalid');
        default:
          throw error;
      }
    }
  }

  /**
   * The parts uploaded so far to an open multipart upload (up to 1,000, S3's
   * first page: enough for the single-part uploads the service completes
   * itself), or undefined when the upload is gone (completed or aborted).
   */
  async listParts(
    key: string,
    uploadId: string,
  ): Promise<{ partNumber: number; etag: string; sizeBytes: number }[] | undefined> {
    let body: string;
    try {
      ({ body } = await this.s3.send({
        command: 'ListPartsCommand',
        method: 'GET',
        bucket: this.bucket,
        key,
        query: { 'x-id': 'ListParts', uploadId },
      }));
    } catch (error) {
      if (errorName(error) === 'NoSuchUpload') return undefined;
      throw error;
    }
    return [...body.matchAll(/<Part>([\s\S]*?)<\/Part>/g)].map((part) => {
      const xml = part[1] ?? '';
      return {
        partNumber: Number(xmlText(xml, 'PartNumber')),
        etag: xmlText(xml, 'ETag') ?? '',
        sizeBytes: Number(xmlText(xml, 'Size')),
      };
    });
  }

  /**
   * Writes an empty object where none is (If-None-Match: *): a zero-byte file
   * has nothing to redirect, and S3 multipart uploads want bytes in a part.
   * An object already there (a retried PUT) is a ConflictError.
   */
  async putEmpty(key: string, contentType: string): Promise<void> {
    try {
      await this.s3.send({
        command: 'PutObjectCommand',
        method: 'PUT',
        bucket: this.bucket,
        key,
        query: { 'x-id': 'PutObject' },
        headers: { 'content-type': contentType, 'if-none-match': '*' },
        body: '',
      });
    } catch (error) {
      if (errorName(error) === 'PreconditionFailed') {
        throw new ConflictError('artifact.exists', 'path: an object is already stored for this artifact');
      }
      throw error;
    }
  }

  /** Aborts an open multipart upload; one that is already gone is not an error. */
  async abortMultipartUpload(key: string, uploadId: string): Promise<void> {
    try {
      await this.s3.send({
        command: 'AbortMultipartUploadCommand',
        method: 'DELETE',
        bucket: this.bucket,
        key,
        query: { 'x-id': 'AbortMultipartUpload', uploadId },
      });
    } catch (error) {
      if (errorName(error) !== 'NoSuchUpload') throw error;
    }
  }

  /**
   * The stored object's size, or undefined when there is none. The functions are
   * granted s3:GetObject but not s3:ListBucket, and without ListBucket S3 answers
   * a missing key with 403 rather than 404: both mean "not there" here.
   */
  async head(key: string): Promise<{ sizeBytes: number } | undefined> {
    try {
      const head = await this.s3.send({ command: 'HeadObjectCommand', method: 'HEAD', bucket: this.bucket, key });
      return { sizeBytes: Number(head.headers['content-length'] ?? 0) };
    } catch (error) {
      const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      if (errorName(error) === 'NotFound' || errorName(error) === 'NoSuchKey' || status === 403 || status === 404) {
        return undefined;
      }
      throw error;
    }
  }

  /** Deletes the object at `key`, if there is one (a pending upload's stale bytes). */
  async delete(key: string): Promise<void> {
    await this.s3.send({
      command: 'DeleteObjectCommand',
      method: 'DELETE',
      bucket: this.bucket,
      key,
      query: { 'x-id': 'DeleteObject' },
    });
  }

  /**
   * Deletes every object under `prefix` (a run's own prefix, built by the
   * service), a listing page (up to 1,000 keys, S3's most for both calls) at a
   * time. Returns how many went. Keys are listed as plain XML text, not
   * `encoding-type=url`: S3 writes a space there as `+` and local servers a `+`
   * as itself, so `+` would be ambiguous; the only keys XML cannot carry have
   * control characters, which artifact paths refuse (shared/domain/artifacts.ts).
   */
  async deletePrefix(prefix: string, pageSize = 1000): Promise<number> {
    let deleted = 0;
    let continuationToken: string | undefined;
    do {
      const page = await this.s3.send({
        command: 'ListObjectsV2Command',
        method: 'GET',
        bucket: this.bucket,
        query: {
          'list-type': '2',
          prefix,
          'max-keys': String(pageSize),
          ...(continuationToken ? { 'continuation-token': continuationToken } : {}),
        },
      });
      const keys = xmlTexts(page.body, 'Key');
      if (keys.length > 0) {
        const body = `<?xml version="1.0" encoding="UTF-8"?><Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Quiet>true</Quiet>${keys
          .map((key) => `<Object><Key>${xmlEscape(key)}</Key></Object>`)
          .join('')}</Delete>`;
        const result = await this.s3.send({
          command: 'DeleteObjectsCommand',
          method: 'POST',
          bucket: this.bucket,
          query: { delete: '' },
          // S3 requires an integrity header on DeleteObjects.
          headers: { 'content-type': 'application/xml', 'content-md5': md5Base64(body) },
          body,
        });
        // Quiet mode lists only the keys that failed, each in an <Error> inside the 200.
        const errors = xmlTexts(result.body, 'Code');
        if (errors.length > 0) {
          throw new Error(`S3 kept ${errors.length} objects under ${prefix}: ${errors[0] ?? ''}`);
        }
        deleted += keys.length;
      }
      continuationToken =
        xmlText(page.body, 'IsTruncated') === 'true' ? xmlText(page.body, 'NextContinuationToken') : undefined;
    } while (continuationToken);
    return deleted;
  }

  /** A GET URL; browsers save the file under its own name. */
  presignGet(key: string, fileName: string): Promise<string> {
    return this.s3.presign({
      command: 'GetObjectCommand',
      method: 'GET',
      bucket: this.bucket,
      key,
      query: {
        'response-content-disposition': `attachment; filename*=UTF-8''${encodeURIComponent(fileName)}`,
        'x-id': 'GetObject',
      },
      expiresInSeconds: this.urlTtlSeconds,
      signingDate: this.now(),
    });
  }
}

const errorName = (error: unknown) => (error instanceof Error ? error.name : undefined);

const md5Base64 = (text: string) => createHash('md5').update(text, 'utf8').digest('base64');
