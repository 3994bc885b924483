import { createHash } from 'node:crypto';
import { ServiceUnavailableError } from '../errors.ts';
import type { S3RestClient } from './s3-rest.ts';
import { retryAfterSeconds } from './service-outage.ts';

/**
 * What the registry reads of stored artifacts to record a version's files: a
 * size with S3's own whole-object SHA-256, or a hash of the bytes. Apart from
 * ArtifactObjectStore so the other artifact functions do not carry it.
 */
export class ArtifactChecksums {
  constructor(
    private readonly s3: S3RestClient,
    private readonly bucket: string,
    private readonly urlTtlSeconds: number,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /**
   * The stored object's size and, where S3 checked one over the whole object
   * (a single PUT that declared `x-amz-checksum-sha256`), that SHA-256 in hex.
   * A multipart upload's checksum is one of its parts' checksums, not of the
   * object, so it is not returned.
   */
  async describe(key: string): Promise<{ sizeBytes: number; sha256: string | undefined } | undefined> {
    try {
      const head = await this.s3.send({
        command: 'HeadObjectCommand',
        method: 'HEAD',
        bucket: this.bucket,
        key,
        headers: { 'x-amz-checksum-mode': 'ENABLED' },
      });
      const checksum = head.headers['x-amz-checksum-sha256'];
      const type = head.headers['x-amz-checksum-type'];
      const wholeObject = typeof checksum === 'string' && !checksum.includes('-') && type !== 'COMPOSITE';
      return {
        sizeBytes: Number(head.headers['content-length'] ?? 0),
        sha256: wholeObject ? Buffer.from(checksum, 'base64').toString('hex') : undefined,
      };
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  /**
   * Reads the object and hashes it as it streams past; nothing is kept in
   * memory. The read goes through a presigned GET (the signer is the SDK's, as
   * for every call), since the REST client keeps whole answers as text.
   */
  async sha256(key: string): Promise<{ sizeBytes: number; sha256: string }> {
    const url = await this.s3.presign({
      command: 'GetObjectCommand',
      method: 'GET',
      bucket: this.bucket,
      key,
      query: { 'x-id': 'GetObject' },
      expiresInSeconds: this.urlTtlSeconds,
      signingDate: this.now(),
    });
    let response: Response;
    try {
      response = await fetch(url);
    } catch (error) {
      throw new ServiceUnavailableError(retryAfterSeconds.unavailable, { cause: error });
    }
    if (!response.ok || !response.body) {
      await response.body?.cancel();
      if (response.status === 429 || response.status >= 500) {
        throw new ServiceUnavailableError(retryAfterSeconds.unavailable, {
          cause: new Error(`S3 GetObject ${key}: ${response.status}`),
        });
      }
      throw new Error(`S3 GetObject ${key}: ${response.status}`);
    }
    const hash = createHash('sha256');
    let sizeBytes = 0;
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        hash.update(chunk);
        sizeBytes += chunk.length;
      }
    } catch (error) {
      throw new ServiceUnavailableError(retryAfterSeconds.unavailable, { cause: error });
    }
    return { sizeBytes, sha256: hash.digest('hex') };
  }
}

/** Without s3:ListBucket, S3 answers a missing key with 403 rather than 404: both mean "not there". */
function isMissing(error: unknown): boolean {
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  const name = error instanceof Error ? error.name : undefined;
  return name === 'NotFound' || name === 'NoSuchKey' || status === 403 || status === 404;
}
