import { ValidationError } from '../errors.ts';

/** Artifacts: files a run produced, stored in S3 under the run's own prefix. Times are epoch milliseconds. */

/**
 * A run's artifact location as MLflow's clients see it, under the `mlflow-artifacts:` scheme that
 * the MLflow API serves: shown as the run's `artifact_uri`, and what `attributes.artifact_uri`
 * filters compare, on either API.
 */
export const runArtifactUri = (run: { experimentId: string; runId: string }) =>
  `mlflow-artifacts:/${run.experimentId}/${run.runId}/artifacts`;

export const artifactTypes = ['model', 'plot', 'data', 'report', 'other'] as const;
export type ArtifactType = (typeof artifactTypes)[number];

export const artifactStatuses = ['PENDING', 'COMPLETE'] as const;
export type ArtifactStatus = (typeof artifactStatuses)[number];

export interface Artifact {
  path: string;
  artifactType: ArtifactType;
  sizeBytes: number;
  contentType: string;
  /** Lowercase hex SHA-256 the client declared; S3 enforced it for single uploads. */
  sha256: string | undefined;
  status: ArtifactStatus;
  /** Where the bytes are in the artifact bucket; built by the service (shared/storage/keys.ts). */
  objectKey: string;
  /**
   * Present while a multipart upload is open. `serviceCompletes`: an MLflow PUT
   * redirected to the upload's only part, which the service completes once it
   * sees the part (the client never says it is done). `completingSince`: when a
   * request claimed the upload's completion (shared/use-cases/multipart-completion.ts).
   */
  multipart:
    | {
        uploadId: string;
        partSizeBytes: number;
        partCount: number;
        serviceCompletes?: boolean | undefined;
        completingSince?: number | undefined;
      }
    | undefined;
  createdTime: number;
  updatedTime: number;
}

const MiB = 1024 * 1024;

export const artifactLimits = {
  /** UTF-8 bytes of a path; with the run prefix (~140 bytes) the S3 key stays under its 1,024. */
  pathBytes: 512,
  /** The largest artifact: 1 TiB. */
  sizeBytes: 1024 ** 4,
  /**
   * Parts in one upload plan. S3 allows 10,000, but each part's presigned URL is
   * ~700 bytes of response and the plan must fit a Lambda response (6 MB) with
   * room to spare: 1,000 URLs are ~0.7 MB. A 1 TiB artifact gets ~1.03 GiB parts.
   */
  planParts: 1000,
  minPartBytes: 5 * MiB,
  maxPartBytes: 5 * 1024 * MiB,
} as const;

// Rejecting control characters is the point of this pattern.
const controlCharacters = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * Checks a client's artifact path and returns its canonical form (Unicode NFC).
 * Paths are relative, `/`-separated and already normal: nothing is resolved or
 * rewritten, so `..`, `.`, empty segments, a leading `/`, backslashes and control
 * characters are refused rather than interpreted. Every error names `path`.
 */
export function normalizeArtifactPath(raw: string, field = 'path'): string {
  const fail = (why: string) => new ValidationError(`${field}: ${why}`, `${field}.invalid`);
  if (!raw.isWellFormed()) throw fail('must be valid Unicode (no lone surrogates)');
  const path = raw.normalize('NFC');
  if (path.length === 0) throw fail('must not be empty');
  if (Buffer.byteLength(path, 'utf8') > artifactLimits.pathBytes) {
    throw fail(`must be at most ${artifactLimits.pathBytes} bytes of UTF-8`);
  }
  if (controlCharacters.test(path)) throw fail('must not contain control characters');
  if (path.includes('\\')) throw fail('must use / as separator, not backslashes');
  if (path.startsWith('/')) throw fail('must be relative (no leading /)');
  for (const segment of path.split('/')) {
    if (segment === '') throw fail('must not contain empty segments (// or a trailing /)');
    if (segment === '.' || segment === '..') throw fail(`must not contain '${segment}' segments`);
    if (segment.trim() === '') throw fail('must not contain blank segments');
  }
  return path;
}

/** How an artifact of `sizeBytes` is uploaded: one PUT, or parts of `partSizeBytes` (the last may be smaller). */
export type UploadShape = { kind: 'single' } | { kind: 'multipart'; partSizeBytes: number; partCount: number };

export interface UploadSizing {
  multipartThresholdBytes: number;
  partSizeBytes: number;
}

/**
 * Below the threshold, one PUT. At or above it, parts of the configured size,
 * grown (in whole MiB) when the artifact would otherwise need more than
 * `planParts` parts. Every part but the last is at least 5 MiB, as S3 requires.
 */
export function uploadShape(sizeBytes: number, sizing: UploadSizing): UploadShape {
  if (sizeBytes < sizing.multipartThresholdBytes) return { kind: 'single' };
  const needed = Math.ceil(Math.ceil(sizeBytes / artifactLimits.planParts) / MiB) * MiB;
  const partSizeBytes = Math.min(
    artifactLimits.maxPartBytes,
    Math.max(sizing.partSizeBytes, artifactLimits.minPartBytes, needed),
  );
  return { kind: 'multipart', partSizeBytes, partCount: Math.ceil(sizeBytes / partSizeBytes) };
}

/** The size of part `partNumber` (1-based) of a multipart upload. */
export const partSize = (sizeBytes: number, partSizeBytes: number, partNumber: number) =>
  Math.min(partSizeBytes, sizeBytes - (partNumber - 1) * partSizeBytes);
