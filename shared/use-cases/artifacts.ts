import {
  type Artifact,
  type ArtifactType,
  artifactLimits,
  normalizeArtifactPath,
  partSize,
  type UploadSizing,
  uploadShape,
} from '../domain/artifacts.ts';
import type { Page, RunDetails } from '../domain/types.ts';
import { ConflictError, NotFoundError, ServiceUnavailableError, ValidationError } from '../errors.ts';
import type { Clock } from '../ids.ts';
import type { ArtifactLevelPage, ArtifactRepository } from '../storage/artifact-repository.ts';
import type { ArtifactObjectStore, CompletedPart } from '../storage/artifact-store.ts';
import { artifactObjectKey } from '../storage/keys.ts';
import type { RunReader } from '../storage/run-reader.ts';
import type { RequestScope } from './deps.ts';
import { completeMultipartOnce, completionUnderWay } from './multipart-completion.ts';
import { getRun } from './runs.ts';
import { addMetric } from '../observability/metrics.ts';

/** What the artifact use cases need, passed in so tests build it from real parts. */
export interface ArtifactDeps {
  artifacts: ArtifactRepository;
  objects: ArtifactObjectStore;
  runs: RunReader;
  clock: Clock;
  sizing: UploadSizing;
}

export const defaultContentType = 'application/octet-stream';

export interface UploadRequest {
  path: string;
  artifactType: ArtifactType;
  sizeBytes: number;
  contentType?: string | undefined;
  /** 64 lowercase hex characters. */
  sha256?: string | undefined;
}

export type UploadPlan =
  | { kind: 'single'; method: 'PUT'; url: string; headers: Record<string, string> }
  | {
      kind: 'multipart';
      uploadId: string;
      partSizeBytes: number;
      parts: Array<{ partNumber: number; url: string; sizeBytes: number }>;
    };

export interface PlannedUpload {
  artifact: Artifact;
  expiresAt: number;
  upload: UploadPlan;
}

/**
 * Where a new upload of `path` goes: the object key in the run's prefix, and
 * the path's current record if an earlier plan left one. 404 without the run;
 * 409 once the path is COMPLETE (artifacts are immutable).
 */
export async function uploadTarget(
  scope: RequestScope,
  runId: string,
  path: string,
  deps: Pick<ArtifactDeps, 'runs' | 'artifacts'>,
): Promise<{ existing: Artifact | undefined; objectKey: string }> {
  const run = await deps.runs.get(scope.workspace, runId);
  if (!run) throw new NotFoundError('run', runId);
  const existing = await deps.artifacts.get(scope.workspace, runId, path);
  if (existing?.status === 'COMPLETE') {
    throw new ConflictError('artifact.exists', `path: artifact '${path}' is already complete; artifacts are immutable`);
  }
  return { existing, objectKey: artifactObjectKey(scope.workspace, run.experimentId, runId, path) };
}

/**
 * Plans an upload straight to S3: one presigned PUT below the multipart
 * threshold, else an S3 multipart upload with one presigned URL per part. The
 * artifact is recorded as PENDING until `completeUpload` has seen the object.
 * A COMPLETE path is immutable (409): no plan is made for it, and every PUT
 * URL ever handed out is conditional on no object being there. A PENDING one
 * is planned afresh: its open multipart upload, if any, aborted, and bytes an
 * earlier single PUT left deleted.
 */
export async function requestUpload(
  scope: RequestScope,
  runId: string,
  request: UploadRequest,
  deps: ArtifactDeps,
): Promise<PlannedUpload> {
  const path = normalizeArtifactPath(request.path);
  if (request.sizeBytes > artifactLimits.sizeBytes) {
    throw new ValidationError(`size_bytes: must be at most ${artifactLimits.sizeBytes}`, 'size_bytes.invalid');
  }
  const { existing, objectKey } = await uploadTarget(scope, runId, path, deps);
  const contentType = request.contentType ?? defaultContentType;
  const now = deps.clock.now();
  const shape = uploadShape(request.sizeBytes, deps.sizing);
  let upload: UploadPlan;
  let multipart: Artifact['multipart'];
  if (shape.kind === 'single') {
    // A PUT URL only writes where no object is (If-None-Match: *): bytes an earlier plan of this
    // pending path uploaded but never completed would refuse the new upload, so they go first.
    if (existing) await deps.objects.delete(objectKey);
    const sha256Base64 = request.sha256 ? Buffer.from(request.sha256, 'hex').toString('base64') : undefined;
    const put = await deps.objects.presignPut(objectKey, {
      sizeBytes: request.sizeBytes,
      contentType,
      sha256Base64,
      ifNoneMatch: true,
    });
    upload = { kind: 'single', method: 'PUT', ...put };
  } else {
    const uploadId = await deps.objects.createMultipartUpload(objectKey, contentType);
    multipart = { uploadId, partSizeBytes: shape.partSizeBytes, partCount: shape.partCount };
    const parts = await Promise.all(
      Array.from({ length: shape.partCount }, async (_, index) => {
        const partNumber = index + 1;
        const sizeBytes = partSize(request.sizeBytes, shape.partSizeBytes, partNumber);
        return {
          partNumber,
          sizeBytes,
          url: await deps.objects.presignPart(objectKey, uploadId, partNumber, sizeBytes),
        };
      }),
    );
    upload = { kind: 'multipart', uploadId, partSizeBytes: shape.partSizeBytes, parts };
  }

  const artifact: Artifact = {
    path,
    artifactType: request.artifactType,
    sizeBytes: request.sizeBytes,
    contentType,
    sha256: request.sha256,
    status: 'PENDING',
    objectKey,
    multipart,
    createdTime: now,
    updatedTime: now,
  };
  let replaced: Artifact | undefined;
  try {
    replaced = await deps.artifacts.putPending(scope.workspace, runId, artifact);
  } catch (error) {
    if (multipart) await deps.objects.abortMultipartUpload(objectKey, multipart.uploadId);
    throw error;
  }
  if (replaced?.multipart) await deps.objects.abortMultipartUpload(replaced.objectKey, replaced.multipart.uploadId);
  addMetric('ArtifactBytesPlanned', request.sizeBytes);
  return { artifact, expiresAt: now + deps.objects.urlLifetimeMs, upload };
}

export interface CompleteRequest {
  path: string;
  uploadId?: string | undefined;
  parts?: readonly CompletedPart[] | undefined;
}

/**
 * Finishes an upload: completes the multipart upload, then checks with S3 that
 * the object is there with the declared size before the artifact becomes
 * COMPLETE. Completing an upload that never happened is a 409 and records
 * nothing. A retried completion of a COMPLETE artifact returns it as it is.
 */
export async function completeUpload(
  scope: RequestScope,
  runId: string,
  request: CompleteRequest,
  deps: ArtifactDeps,
): Promise<Artifact> {
  const artifact = await findArtifact(scope, runId, request.path, deps);
  if (artifact.status === 'COMPLETE') return artifact;

  if (artifact.multipart) {
    const { multipart } = artifact;
    const { uploadId, partCount } = multipart;
    if (request.uploadId === undefined) {
      throw new ValidationError(
        'upload_id: is required; this path was planned as a multipart upload',
        'upload_id.missing',
      );
    }
    if (request.uploadId !== uploadId) {
      throw new ConflictError('artifact.upload_mismatch', `upload_id: is not the open upload of '${artifact.path}'`);
    }
    const parts = checkParts(request.parts, partCount);
    const outcome = await completeMultipartOnce(scope.workspace, runId, { ...artifact, multipart }, parts, deps);
    if (outcome.by === 'another request') return completedElsewhere(artifact.path, outcome.artifact);
  } else if (request.uploadId !== undefined || request.parts !== undefined) {
    throw new ValidationError(
      'upload_id: this path was planned as a single upload; send only path',
      'upload_id.unexpected',
    );
  }

  const stored = await deps.objects.head(artifact.objectKey);
  if (!stored) {
    throw new ConflictError('artifact.upload_missing', `path: nothing was uploaded for '${artifact.path}' yet`);
  }
  if (stored.sizeBytes !== artifact.sizeBytes) {
    throw new ConflictError(
      'artifact.size_mismatch',
      `size_bytes: '${artifact.path}' was declared as ${artifact.sizeBytes} bytes but ${stored.sizeBytes} were uploaded`,
    );
  }
  return deps.artifacts.markComplete(scope.workspace, runId, artifact, deps.clock.now());
}

/**
 * The answer to a complete call that found another request completing the same
 * upload: the artifact that request recorded, or a 409 to retry when it had not
 * finished within the wait (or the upload was replaced meanwhile).
 */
export function completedElsewhere(path: string, stored: Artifact | undefined): Artifact {
  if (stored?.status === 'COMPLETE') return stored;
  throw new ConflictError(
    'artifact.completing',
    `path: another request is completing the upload of '${path}'; retry the call`,
  );
}

/** The parts must be exactly 1..partCount, in order: anything else would store a different object. */
function checkParts(parts: readonly CompletedPart[] | undefined, partCount: number): CompletedPart[] {
  if (!parts) throw new ValidationError('parts: is required for a multipart upload', 'parts.missing');
  if (parts.length !== partCount) {
    throw new ValidationError(`parts: the plan has ${partCount} parts; got ${parts.length}`, 'parts.invalid');
  }
  parts.forEach((part, index) => {
    if (part.partNumber !== index + 1) {
      throw new ValidationError(`parts[${index}].part_number: must be ${index + 1}`, 'parts.invalid');
    }
  });
  return [...parts];
}

/** Cancels an open multipart upload and forgets the PENDING artifact. */
export async function abortUpload(
  scope: RequestScope,
  runId: string,
  request: { path: string; uploadId: string },
  deps: ArtifactDeps,
): Promise<{ path: string; uploadId: string }> {
  const artifact = await findArtifact(scope, runId, request.path, deps);
  if (artifact.status !== 'PENDING' || artifact.multipart?.uploadId !== request.uploadId) {
    throw new ConflictError('artifact.upload_mismatch', `upload_id: is not the open upload of '${artifact.path}'`);
  }
  await deps.objects.abortMultipartUpload(artifact.objectKey, request.uploadId);
  await deps.artifacts.deletePending(scope.workspace, runId, artifact.path, request.uploadId);
  return { path: artifact.path, uploadId: request.uploadId };
}

export interface ListArtifactsInput {
  prefix?: string | undefined;
  limit: number;
  pageToken?: string | undefined;
}

/**
 * A run's artifacts in path order, PENDING ones included. A PENDING single
 * upload whose object S3 now holds (a PUT redirected by MLflow's proxy API, which
 * never calls complete) is completed on the way.
 */
export async function listArtifacts(
  scope: RequestScope,
  runId: string,
  input: ListArtifactsInput,
  deps: Pick<ArtifactDeps, 'artifacts' | 'runs' | 'objects' | 'clock'>,
): Promise<Page<Artifact>> {
  const run = await deps.runs.get(scope.workspace, runId);
  if (!run) throw new NotFoundError('run', runId);
  const page = await deps.artifacts.list(scope.workspace, runId, {
    prefix: input.prefix,
    limit: input.limit,
    pageToken: input.pageToken,
  });
  return { items: await settlePending(scope, runId, page.items, deps), cursor: page.cursor };
}

export interface ListArtifactLevelInput {
  /** The folder: '' for the run's root, else its path (a trailing '/' is optional). */
  folder: string;
  limit: number;
  pageToken?: string | undefined;
}

/**
 * One level of a run's artifact folder: its files (PENDING ones included, settled as `listArtifacts`
 * settles them) and its subfolders, a page at a time, without reading what lies inside the subfolders.
 */
export async function listArtifactLevel(
  scope: RequestScope,
  runId: string,
  input: ListArtifactLevelInput,
  deps: Pick<ArtifactDeps, 'artifacts' | 'runs' | 'objects' | 'clock'>,
): Promise<ArtifactLevelPage> {
  const run = await deps.runs.get(scope.workspace, runId);
  if (!run) throw new NotFoundError('run', runId);
  const folder = input.folder.replace(/\/+$/, '');
  const page = await deps.artifacts.listLevel(scope.workspace, runId, {
    prefix: folder ? `${folder}/` : '',
    limit: input.limit,
    pageToken: input.pageToken,
  });
  return { ...page, files: await settlePending(scope, runId, page.files, deps) };
}

/**
 * Completes the PENDING uploads among `artifacts` that went through without the
 * client saying so: a redirected MLflow PUT (its upload's only part is in S3 with
 * the declared size: the service completes the upload), or a single PUT whose
 * object S3 holds with the declared size. Others stay as they are. Returns the
 * list with the completed ones updated.
 */
export async function settlePending(
  scope: RequestScope,
  runId: string,
  artifacts: readonly Artifact[],
  deps: Pick<ArtifactDeps, 'artifacts' | 'objects' | 'clock'>,
): Promise<Artifact[]> {
  const settled = [...artifacts];
  const unsettled = artifacts.flatMap((artifact, index) =>
    artifact.status === 'PENDING' && (!artifact.multipart || artifact.multipart.serviceCompletes) ? [index] : [],
  );
  // A folder logged in one go can leave a page of them: a few S3 calls each, a bounded number at a time.
  for (let start = 0; start < unsettled.length; start += settleConcurrency) {
    await Promise.all(
      unsettled.slice(start, start + settleConcurrency).map(async (index) => {
        settled[index] = await settleOne(scope, runId, artifacts[index] as Artifact, deps);
      }),
    );
  }
  return settled;
}

const settleConcurrency = 16;

async function settleOne(
  scope: RequestScope,
  runId: string,
  artifact: Artifact,
  deps: Pick<ArtifactDeps, 'artifacts' | 'objects' | 'clock'>,
): Promise<Artifact> {
  let check: UploadCheck;
  try {
    check = await checkUpload(scope, runId, artifact, deps);
  } catch (error) {
    // S3 unreachable: the listing is still right about what is known to be complete.
    if (error instanceof ServiceUnavailableError) return artifact;
    throw error;
  }
  if ('settledElsewhere' in check) return check.settledElsewhere;
  if (!check.through) return artifact;
  try {
    return await deps.artifacts.markComplete(scope.workspace, runId, artifact, deps.clock.now());
  } catch (error) {
    // Completed or replaced by a concurrent request: what is stored now is the answer.
    if (!(error instanceof ConflictError)) throw error;
    return (await deps.artifacts.get(scope.workspace, runId, artifact.path)) ?? artifact;
  }
}

/** Whether an upload's bytes are in S3 as declared, or what a request that completed it meanwhile recorded. */
type UploadCheck = { through: boolean } | { settledElsewhere: Artifact };

/**
 * Whether a PENDING upload's bytes are in S3 as declared, completing a redirected
 * PUT's multipart upload on the way. The upload id is used once: after it is
 * completed (here, or by a concurrent settle) its part URL can write nothing.
 */
async function checkUpload(
  scope: RequestScope,
  runId: string,
  artifact: Artifact,
  deps: Pick<ArtifactDeps, 'artifacts' | 'objects' | 'clock'>,
): Promise<UploadCheck> {
  const { multipart } = artifact;
  const open = multipart && { ...artifact, multipart };
  if (open) {
    const parts = await deps.objects.listParts(artifact.objectKey, open.multipart.uploadId);
    const [part] = parts ?? [];
    if (part && parts?.length === 1 && part.partNumber === 1 && part.sizeBytes === artifact.sizeBytes) {
      try {
        const outcome = await completeMultipartOnce(scope.workspace, runId, open, [part], deps);
        if (outcome.by === 'another request') return { settledElsewhere: outcome.artifact ?? artifact };
      } catch (error) {
        // The part was re-sent since it was listed: the object tells.
        if (!(error instanceof ValidationError)) throw error;
      }
    } else if (parts !== undefined) {
      return (await settledByCompletionUnderWay(scope, runId, open, deps)) ?? { through: false };
    }
    // The upload is gone (completed, by this or another request) or was just completed: the object tells.
  }
  const stored = await deps.objects.head(artifact.objectKey);
  if (stored !== undefined && stored.sizeBytes === artifact.sizeBytes) return { through: true };
  return (open && (await settledByCompletionUnderWay(scope, runId, open, deps))) ?? { through: false };
}

/** Neither the part nor the object is there: what another request's completion under way settles, if one is. */
async function settledByCompletionUnderWay(
  scope: RequestScope,
  runId: string,
  artifact: Artifact & { multipart: NonNullable<Artifact['multipart']> },
  deps: Pick<ArtifactDeps, 'artifacts' | 'clock'>,
): Promise<UploadCheck | undefined> {
  const underWay = await completionUnderWay(scope.workspace, runId, artifact, deps);
  return underWay && { settledElsewhere: underWay.artifact ?? artifact };
}

export interface DownloadLink {
  path: string;
  url: string;
  expiresAt: number;
  sizeBytes: number;
}

/** A short-lived presigned GET URL for a COMPLETE artifact. */
export async function downloadArtifact(
  scope: RequestScope,
  runId: string,
  path: string,
  deps: ArtifactDeps,
): Promise<DownloadLink> {
  const found = await findArtifact(scope, runId, path, deps).catch(async (error: unknown) => {
    // Only on the error path: a folder has no item of its own, but files under it.
    if (error instanceof NotFoundError) await refuseFolder(scope, runId, path, deps);
    throw error;
  });
  const [artifact = found] = await settlePending(scope, runId, [found], deps);
  if (artifact.status !== 'COMPLETE') {
    throw new ConflictError('artifact.not_complete', `path: the upload of '${artifact.path}' has not been completed`);
  }
  const fileName = artifact.path.slice(artifact.path.lastIndexOf('/') + 1);
  const url = await deps.objects.presignGet(artifact.objectKey, fileName);
  return {
    path: artifact.path,
    url,
    expiresAt: deps.clock.now() + deps.objects.urlLifetimeMs,
    sizeBytes: artifact.sizeBytes,
  };
}

/** How many complete artifacts `GET /runs/{id}` includes; the list route has them all. */
export const runViewArtifacts = 1000;

/** The run with its params, latest metrics and (the first 1,000 by path) complete artifacts. */
export async function getRunWithArtifacts(
  scope: RequestScope,
  runId: string,
  deps: Pick<ArtifactDeps, 'artifacts' | 'runs'>,
): Promise<RunDetails & { artifacts: Artifact[] }> {
  const [run, artifacts] = await Promise.all([
    getRun(scope, runId, deps),
    deps.artifacts.list(scope.workspace, runId, {
      prefix: undefined,
      limit: runViewArtifacts,
      pageToken: undefined,
      status: 'COMPLETE',
    }),
  ]);
  return { ...run, artifacts: artifacts.items };
}

/** A path that names a folder (files lie under it) is the caller's mistake, not a missing file. */
async function refuseFolder(
  scope: RequestScope,
  runId: string,
  rawPath: string,
  deps: Pick<ArtifactDeps, 'artifacts'>,
) {
  const path = normalizeArtifactPath(rawPath);
  if (await deps.artifacts.hasAnyUnder(scope.workspace, runId, `${path}/`)) throw folderNotFile(path);
}

export const folderNotFile = (path: string) =>
  new ValidationError(`path: '${path}' is a folder, not a file; list it instead`, 'artifact.is_folder', undefined, {
    id: path,
  });

async function findArtifact(
  scope: RequestScope,
  runId: string,
  rawPath: string,
  deps: Pick<ArtifactDeps, 'artifacts'>,
) {
  const path = normalizeArtifactPath(rawPath);
  const artifact = await deps.artifacts.get(scope.workspace, runId, path);
  if (!artifact) throw new NotFoundError('artifact', path);
  return artifact;
}
