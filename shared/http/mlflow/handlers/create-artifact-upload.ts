import { ValidationError } from '../../../errors.ts';
import { artifactDeps } from '../../../runtime.ts';
import { planClientPartedUpload, planProxiedUpload } from '../../../use-cases/proxied-artifacts.ts';
import { createHandler } from '../../handler.ts';
import { multipartTargetPath, parseProxiedPath } from '../inputs.ts';
import { mlflowCreateMultipartUploadRoute } from '../../routes/mlflow-create-multipart-upload.ts';
import { mlflowUploadArtifactRoute } from '../../routes/mlflow-upload-artifact.ts';

/**
 * A PUT of a file is answered with a 307 to a presigned S3 PUT of the same
 * length and content type: the client re-sends the body there (dropping its
 * Authorization header, as the host changes), so no byte is stored by a function.
 */
export const mlflowUploadArtifact = createHandler(mlflowUploadArtifactRoute, async ({ path, headers }, { scope }) => {
  const target = parseProxiedPath(path.artifact_path, 'path');
  if (!target.path) throw new ValidationError('path: names a folder; PUT a file under it', 'path.invalid');
  const length = headers['content-length'];
  const planned = await planProxiedUpload(
    scope,
    target.runId,
    {
      path: target.path,
      sizeBytes: length === undefined || !/^\d+$/.test(length) ? undefined : Number(length),
      contentType: headers['content-type'],
    },
    artifactDeps(),
  );
  return { status: 307, headers: { location: planned.url }, body: {} };
});

/** `mpu/create/<folder>` with `path` (the client's local file): the artifact is `<folder>/<file name>`. */
export const mlflowCreateMultipartUpload = createHandler(
  mlflowCreateMultipartUploadRoute,
  async ({ path, body }, { scope }) => {
    const target = parseProxiedPath(path.artifact_path, 'path');
    const plan = await planClientPartedUpload(
      scope,
      target.runId,
      { path: multipartTargetPath(target.path, body.path), partCount: body.num_parts },
      artifactDeps(),
    );
    return {
      body: {
        upload_id: plan.uploadId,
        credentials: plan.parts.map((part) => ({ url: part.url, part_number: part.partNumber, headers: {} })),
      },
    };
  },
);
