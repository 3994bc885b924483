import type { Artifact } from '../domain/artifacts.ts';
import { ConflictError } from '../errors.ts';
import type { Clock } from '../ids.ts';
import type { ArtifactRepository } from '../storage/artifact-repository.ts';
import type { ArtifactObjectStore, CompletedPart } from '../storage/artifact-store.ts';

/**
 * S3's CompleteMultipartUpload for an artifact's open upload, sent by one request
 * at a time. Several requests can set out to complete the same upload: a listing
 * and a download both settling one redirected MLflow PUT, or a client retrying
 * its complete call. LocalStack's S3 stores an EMPTY object when two completions
 * of one upload overlap (measured: 20 of 40 rounds of six concurrent completions
 * left a 0-byte object), so the bytes would be lost and the artifact never
 * settle. A request therefore first claims the completion on the artifact's
 * record; one that finds the claim taken waits for its holder instead.
 */

export interface MultipartCompletionDeps {
  artifacts: Pick<ArtifactRepository, 'claimCompletion' | 'releaseCompletion' | 'get'>;
  objects: Pick<ArtifactObjectStore, 'completeMultipartUpload'>;
  clock: Clock;
}

/** How long a claim holds; a request that died holding one delays completion by at most this. */
const claimLeaseMs = 30_000;
/** How long a request waits for another's completion: a single-part completion takes well under a second. */
const waitLimitMs = 10_000;

export type CompletionOutcome =
  /** This request completed the upload (or S3 had no such upload any more): check the object and record it. */
  | { by: 'this request' }
  /** Another request held the claim: the artifact's record once it finished, or as it stood when waiting ran out. */
  | { by: 'another request'; artifact: Artifact | undefined };

export async function completeMultipartOnce(
  workspace: string,
  runId: string,
  artifact: Artifact & { multipart: NonNullable<Artifact['multipart']> },
  parts: readonly CompletedPart[],
  deps: MultipartCompletionDeps,
): Promise<CompletionOutcome> {
  const { uploadId } = artifact.multipart;
  const claimedAt = deps.clock.now();
  const claimed = await deps.artifacts.claimCompletion(workspace, runId, artifact.path, {
    uploadId,
    now: claimedAt,
    leaseMs: claimLeaseMs,
  });
  if (!claimed) {
    return { by: 'another request', artifact: await waitForOtherCompletion(workspace, runId, artifact, deps) };
  }
  try {
    await deps.objects.completeMultipartUpload(artifact.objectKey, uploadId, parts);
  } catch (error) {
    // No such upload: completed before (a retry after S3 completed but before the record did). The object tells.
    if (error instanceof ConflictError) return { by: 'this request' };
    await deps.artifacts.releaseCompletion(workspace, runId, artifact.path, { uploadId, claimedAt });
    throw error;
  }
  return { by: 'this request' };
}

/**
 * What settles an upload that S3 shows neither as its part nor as its object:
 * another request may be completing it right now (versitygw renames the upload
 * away before the object appears). Undefined when no completion is under way
 * (no live claim): the upload is not through. Otherwise the artifact's record
 * once that completion is done (or as it stands when waiting runs out), or as
 * it stands already when it is no longer this pending upload.
 */
export async function completionUnderWay(
  workspace: string,
  runId: string,
  artifact: Artifact & { multipart: NonNullable<Artifact['multipart']> },
  deps: Pick<MultipartCompletionDeps, 'artifacts' | 'clock'>,
): Promise<{ artifact: Artifact | undefined } | undefined> {
  const stored = await deps.artifacts.get(workspace, runId, artifact.path);
  if (!isThisPendingUpload(stored, artifact)) return { artifact: stored };
  const claimedAt = stored?.multipart?.completingSince;
  if (claimedAt === undefined || claimedAt < deps.clock.now() - claimLeaseMs) return undefined;
  return { artifact: await waitForOtherCompletion(workspace, runId, artifact, deps) };
}

const isThisPendingUpload = (stored: Artifact | undefined, artifact: Artifact) =>
  stored?.status === 'PENDING' && stored.multipart?.uploadId === artifact.multipart?.uploadId;

/** Polls the record until it is no longer this pending upload, or the wait runs out. */
async function waitForOtherCompletion(
  workspace: string,
  runId: string,
  artifact: Artifact & { multipart: NonNullable<Artifact['multipart']> },
  deps: Pick<MultipartCompletionDeps, 'artifacts' | 'clock'>,
): Promise<Artifact | undefined> {
  const deadline = deps.clock.now() + waitLimitMs;
  let pauseMs = 50;
  for (;;) {
    const stored = await deps.artifacts.get(workspace, runId, artifact.path);
    if (!isThisPendingUpload(stored, artifact) || deps.clock.now() + pauseMs > deadline) return stored;
    await new Promise((resolve) => setTimeout(resolve, pauseMs));
    pauseMs = Math.min(pauseMs * 2, 1000);
  }
}
