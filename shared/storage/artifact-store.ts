import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { ConflictError, ValidationError } from '../errors.ts';
import { notifyStorageCommand } from './command-observer.ts';
import { asServiceOutage, callLimitSettings } from './service-outage.ts';

export interface S3ClientOptions {
  region: string;
  /** A local S3-compatible endpoint; path-style addressing is used with it. */
  endpoint: string | undefined;
  /** Time limit of each attempt, when not the default (see service-outage.ts). */
  attemptTimeoutMs?: number | undefined;
}

/**
 * The S3 client for artifacts. Checksums only when an operation requires them:
 * with the SDK's default a presigned PUT carries a CRC32 of an empty body, which
 * S3 rejects for any real upload (shared/LOCAL-AWS.md).
 */
export function createS3Client(options: S3ClientOptions): S3Client {
  const client = new S3Client({
    region: options.region,
    ...(options.endpoint ? { endpoint: options.endpoint, forcePathStyle: true } : {}),
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    ...callLimitSettings('s3', options.attemptTimeoutMs),
  });
  // Presigning runs this step too, so a presigned URL is observed like a sent command.
  // An outage (after the SDK's retries) becomes a ServiceUnavailableError, as for DynamoDB.
  client.middlewareStack.add(
    (next, context) => (args) => {
      notifyStorageCommand({
        service: 's3',
        name: context.commandName ?? '',
        input: args.input as Record<string, unknown>,
      });
      return next(args).catch((error: unknown) => {
        throw asServiceOutage(error);
      });
    },
    { step: 'initialize', name: 'stratusCommandObserver' },
  );
  return client;
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
    private readonly s3: S3Client,
    private readonly bucket: string,
    private readonly urlTtlSeconds: number,
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
    const command = new PutObjectCommand({
      Bucket: this.bucket,
      Key: key,
      ContentLength: object.sizeBytes,
      ContentType: object.contentType,
      ...(object.ifNoneMatch ? { IfNoneMatch: '*' } : {}),
      ...(object.sha256Base64 ? { ChecksumSHA256: object.sha256Base64 } : {}),
    });
    const url = await getSignedUrl(this.s3, command, {
      expiresIn: this.urlTtlSeconds,
      signableHeaders: new Set(['content-length', 'content-type', 'if-none-match', 'x-amz-checksum-sha256']),
      unhoistableHeaders: new Set(['if-none-match', 'x-amz-checksum-sha256']),
    });
    const headers: Record<string, string> = { 'content-type': object.contentType };
    if (object.ifNoneMatch) headers['if-none-match'] = '*';
    if (object.sha256Base64) headers['x-amz-checksum-sha256'] = object.sha256Base64;
    return { url, headers };
  }

  async createMultipartUpload(key: string, contentType: string): Promise<string> {
    const { UploadId } = await this.s3.send(
      new CreateMultipartUploadCommand({ Bucket: this.bucket, Key: key, ContentType: contentType }),
    );
    if (!UploadId) throw new Error('S3 returned no UploadId');
    return UploadId;
  }

  /**
   * A part URL that signs the part's length when it is known. MLflow's client
   * chooses its own part sizes and does not say them: its part URLs sign none.
   */
  presignPart(key: string, uploadId: string, partNumber: number, sizeBytes: number | undefined): Promise<string> {
    const command = new UploadPartCommand({
      Bucket: this.bucket,
      Key: key,
      UploadId: uploadId,
      PartNumber: partNumber,
      ...(sizeBytes === undefined ? {} : { ContentLength: sizeBytes }),
    });
    return getSignedUrl(this.s3, command, {
      expiresIn: this.urlTtlSeconds,
      ...(sizeBytes === undefined ? {} : { signableHeaders: new Set(['content-length']) }),
    });
  }

  async completeMultipartUpload(key: string, uploadId: string, parts: readonly CompletedPart[]): Promise<void> {
    try {
      await this.s3.send(
        new CompleteMultipartUploadCommand({
          Bucket: this.bucket,
          Key: key,
          UploadId: uploadId,
          MultipartUpload: { Parts: parts.map((part) => ({ PartNumber: part.partNumber, ETag: part.etag })) },
        }),
      );
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
      await this.s3.send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: key, UploadId: uploadId }));
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
      const head = await this.s3.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return { sizeBytes: head.ContentLength ?? 0 };
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
    await this.s3.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
  }

  /**
   * Deletes every object under `prefix` (a run's own prefix, built by the
   * service), a listing page (up to 1,000 keys) at a time. Returns how many went.
   */
  async deletePrefix(prefix: string): Promise<number> {
    let deleted = 0;
    let continuationToken: string | undefined;
    do {
      const page = await this.s3.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken: continuationToken }),
      );
      const keys = (page.Contents ?? []).flatMap((object) => (object.Key ? [{ Key: object.Key }] : []));
      if (keys.length > 0) {
        const result = await this.s3.send(
          new DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects: keys, Quiet: true } }),
        );
        if (result.Errors?.length) {
          throw new Error(`S3 kept ${result.Errors.length} objects under ${prefix}: ${result.Errors[0]?.Code ?? ''}`);
        }
        deleted += keys.length;
      }
      continuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (continuationToken);
    return deleted;
  }

  /** A GET URL; browsers save the file under its own name. */
  presignGet(key: string, fileName: string): Promise<string> {
    const command = new GetObjectCommand({
      Bucket: this.bucket,
      Key: key,
      ResponseContentDisposition: `attachment; filename*=UTF-8''${encodeURIComponent(fileName)}`,
    });
    return getSignedUrl(this.s3, command, { expiresIn: this.urlTtlSeconds });
  }
}

const errorName = (error: unknown) => (error instanceof Error ? error.name : undefined);
