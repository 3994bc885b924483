import { ConflictError, ValidationError } from '../errors.ts';
import { S3RestClient, type S3RestOptions, xmlEscape, xmlText } from './s3-rest.ts';

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
  ) {}

  get urlLifetimeMs() {
    return this.urlTtlSeconds * 1000;
  }

  /**
   * A PUT URL that signs the length, the content type and, when given, the
   * SHA-256 (as a header, not hoisted into the query): S3 refuses a body of
   * another size or content, and a request without those exact headers.
   */
  async presignPut(
    key: string,
    object: { sizeBytes: number; contentType: string; sha256Base64: string | undefined },
  ): Promise<PresignedPut> {
    const headers: Record<string, string> = {
      'content-length': String(object.sizeBytes),
      'content-type': object.contentType,
    };
    if (object.sha256Base64) headers['x-amz-checksum-sha256'] = object.sha256Base64;
    const url = await this.s3.presign({
      command: 'PutObjectCommand',
      method: 'PUT',
      bucket: this.bucket,
      key,
      query: { 'x-id': 'PutObject' },
      headers,
      expiresInSeconds: this.urlTtlSeconds,
      signableHeaders: new Set(['content-length', 'content-type', 'x-amz-checksum-sha256']),
      unhoistableHeaders: new Set(['x-amz-checksum-sha256']),
    });
    const clientHeaders: Record<string, string> = { 'content-type': object.contentType };
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

  /** A part URL that signs the part's length. */
  presignPart(key: string, uploadId: string, partNumber: number, sizeBytes: number): Promise<string> {
    return this.s3.presign({
      command: 'UploadPartCommand',
      method: 'PUT',
      bucket: this.bucket,
      key,
      query: { 'x-id': 'UploadPart', partNumber: String(partNumber), uploadId },
      headers: { 'content-length': String(sizeBytes) },
      expiresInSeconds: this.urlTtlSeconds,
      signableHeaders: new Set(['content-length']),
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
    });
  }
}

const errorName = (error: unknown) => (error instanceof Error ? error.name : undefined);
