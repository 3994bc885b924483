import { type Artifact, normalizeArtifactPath } from '../domain/artifacts.ts';
import { ConflictError, NotFoundError, ValidationError } from '../errors.ts';
import type { CompletedPart } from '../storage/artifact-store.ts';
import { addMetric } from '../observability/metrics.ts';
import { type ArtifactDeps, completedElsewhere, defaultContentType, uploadTarget } from './artifacts.ts';
import type { RequestScope } from './deps.ts';
import { completeMultipartOnce } from './multipart-completion.ts';

/**
 * Artifacts through MLflow's proxy API (`/api/2.0/mlflow-artifacts/`), without a
 * byte passing through a function: a PUT is answered with a 307 to a presigned
 * S3 part URL, and MLflow's multipart API gets presigned part URLs. The client
 * never says when a redirected PUT is done, so such an artifact is PENDING until
 * the service sees its part in S3 with the size the PUT declared and completes
 * the upload (`settlePending`).
 */

/**
 * The largest file a redirected PUT can carry: API Gateway refuses bodies above
 * 10 MB, and a body reaches Lambda base64-encoded inside a 6 MB event.
 */
export const proxiedUploadMaxBytes = 4 * 1024 * 1024;

/** Said to a client that PUT a larger file, naming the client settings that avoid it. */
export const multipartAdvice =
  `files of ${proxiedUploadMaxBytes} bytes (4 MiB) or more must be uploaded in presigned parts: set ` +
  `MLFLOW_MULTIPART_UPLOAD_MINIMUM_FILE_SIZE=${proxiedUploadMaxBytes} in the environment of the process that ` +
  'logs artifacts (and MLFLOW_ENABLE_PROXY_MULTIPART_UPLOAD=true, for a client that does not ask ' +
  '/api/3.0/mlflow/server-info whether the server takes parts)';

/** Marks an artifact whose size is not known until S3 has the object (MLflow's multipart API does not send it). */
const unknownSize = -1;

/**
 * Plans a redirected PUT. The URL is not a PutObject URL: the stock client
 * follows a 307 without adding headers, so it cannot send the `If-None-Match: *`
 * that keeps a still-valid PutObject URL from overwriting a settled artifact.
 * It is the only part of an S3 multipart upload the service opens here and
 * completes itself once it sees the part (`settlePending`): a part URL never
 * writes the object, and once the upload is completed its id is gone, so no
 * URL handed out can replace a COMPLETE artifact. A zero-byte file has no
 * part to send: the service stores it at once (`url` undefined).
 */
export async function planProxiedUpload(
  scope: RequestScope,
  runId: string,
  request: { path: string; sizeBytes: number | undefined; contentType: string | undefined },
  deps: ArtifactDeps,
): Promise<{ artifact: Artifact; url: string | undefined }> {
  if (request.sizeBytes === undefined) {
    throw new ValidationError('content-length: the PUT must say its length', 'content_length.missing');
  }
  if (request.sizeBytes >= proxiedUploadMaxBytes) {
    throw new ValidationError(`${request.path}: ${multipartAdvice}`, 'artifact.too_large_for_proxy');
  }
  const sizeBytes = request.sizeBytes;
  const path = normalizeArtifactPath(request.path);
  const { existing, objectKey } = await uploadTarget(scope, runId, path, deps);
  const contentType = request.contentType ?? defaultContentType;
  const now = deps.clock.now();
  const pending = (multipart: Artifact['multipart']): Artifact => ({
    path,
    artifactType: 'other',
    sizeBytes,
    contentType,
    sha256: undefined,
    status: 'PENDING',
    objectKey,
    multipart,
    createdTime: now,
    updatedTime: now,
  });

  if (sizeBytes === 0) {
    // Bytes an earlier plan of this pending path left would refuse the conditional write.
    if (existing) await deps.objects.delete(objectKey);
    await deps.objects.putEmpty(objectKey, contentType);
    const artifact = pending(undefined);
    const replaced = await deps.artifacts.putPending(scope.workspace, runId, artifact);
    if (replaced?.multipart) await deps.objects.abortMultipartUpload(replaced.objectKey, replaced.multipart.uploadId);
    return { artifact: await deps.artifacts.markComplete(scope.workspace, runId, artifact, now), url: undefined };
  }

  const uploadId = await deps.objects.createMultipartUpload(objectKey, contentType);
  const artifact = pending({ uploadId, partSizeBytes: sizeBytes, partCount: 1, serviceCompletes: true });
  let replaced: Artifact | undefined;
  try {
    replaced = await deps.artifacts.putPending(scope.workspace, runId, artifact);
  } catch (error) {
    await deps.objects.abortMultipartUpload(objectKey, uploadId);
    throw error;
  }
  // Before the new URL is handed out: a settle of the replaced upload can then no longer complete it.
  if (replaced?.multipart) await deps.objects.abortMultipartUpload(replaced.objectKey, replaced.multipart.uploadId);
  addMetric('ArtifactBytesPlanned', sizeBytes);
  return { artifact, url: await deps.objects.presignPart(objectKey, uploadId, 1, sizeBytes) };
}

/** MLflow's `mpu/create`: an S3 multipart upload of `partCount` parts whose sizes the client chooses. */
export async function planClientPartedUpload(
  scope: RequestScope,
  runId: string,
  request: { path: string; partCount: number },
  deps: ArtifactDeps,
) {
  const path = normalizeArtifactPath(request.path);
  const { objectKey } = await uploadTarget(scope, runId, path, deps);
  const uploadId = await deps.objects.createMultipartUpload(objectKey, defaultContentType);
  const now = deps.clock.now();
  const artifact: Artifact = {
    path,
    artifactType: 'other',
    sizeBytes: unknownSize,
    contentType: defaultContentType,
    sha256: undefined,
    status: 'PENDING',
    objectKey,
    multipart: { uploadId, partSizeBytes: 0, partCount: request.partCount },
    createdTime: now,
    updatedTime: now,
  };
  let replaced: Artifact | undefined;
  try {
    replaced = await deps.artifacts.putPending(scope.workspace, runId, artifact);
  } catch (error) {
    await deps.objects.abortMultipartUpload(objectKey, uploadId);
    throw error;
  }
  if (replaced?.multipart) await deps.objects.abortMultipartUpload(replaced.objectKey, replaced.multipart.uploadId);
  const parts = await Promise.all(
    Array.from({ length: request.partCount }, async (_, index) => ({
      partNumber: index + 1,
      url: await deps.objects.presignPart(objectKey, uploadId, index + 1, undefined),
    })),
  );
  return { uploadId, parts };
}

/** MLflow's `mpu/complete`: S3 assembles the parts, and the artifact records the size S3 measured. */
export async function completeClientPartedUpload(
  scope: RequestScope,
  runId: string,
  request: { path: string; uploadId: string; parts: readonly CompletedPart[] },
  deps: ArtifactDeps,
): Promise<Artifact> {
  const path = normalizeArtifactPath(request.path);
  const artifact = await deps.artifacts.get(scope.workspace, runId, path);
  if (!artifact) throw new NotFoundError('artifact', path);
  if (artifact.status === 'COMPLETE') return artifact;
  const { multipart } = artifact;
  if (multipart?.uploadId !== request.uploadId) {
    throw new ConflictError('artifact.upload_mismatch', `upload_id: is not the open upload of '${path}'`);
  }
  const parts = [...request.parts].sort((a, b) => a.partNumber - b.partNumber);
  const outcome = await completeMultipartOnce(scope.workspace, runId, { ...artifact, multipart }, parts, deps);
  if (outcome.by === 'another request') return completedElsewhere(path, outcome.artifact);
  const stored = await deps.objects.head(artifact.objectKey);
  if (!stored) throw new ConflictError('artifact.upload_missing', `path: nothing was uploaded for '${path}' yet`);
  return deps.artifacts.markComplete(scope.workspace, runId, artifact, deps.clock.now(), stored.sizeBytes);
}
