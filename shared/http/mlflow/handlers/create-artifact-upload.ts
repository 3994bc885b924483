import { ValidationError } from '../../../errors.ts';
import { artifactDeps } from '../../../runtime.ts';
import { planClientPartedUpload, planProxiedUpload } from '../../../use-cases/proxied-artifacts.ts';
import { createMlflowHandler } from '../handler.ts';
import { multipartTargetPath, parseProxiedPath } from '../inputs.ts';
import { mlflowCreateMultipartUploadRoute } from '../../routes/mlflow-create-multipart-upload.ts';
import { mlflowUploadArtifactRoute } from '../../routes/mlflow-upload-artifact.ts';

/**
 * A PUT of a file is answered with a 307 to a presigned S3 part URL of the same
 * length: the client re-sends the body there (dropping its Authorization
 * header, as the host changes), so no byte is stored by a function, and the
 * service completes the upload when it next looks (planProxiedUpload says why
 * a part and not a PutObject URL). An empty file is stored at once: 200.
 */
export const mlflowUploadArtifact = createMlflowHandler(
  mlflowUploadArtifactRoute,
  async ({ path, headers, bodyEmpty }, { scope }) => {
    const target = parseProxiedPath(path.artifact_path, 'path');
    if (!target.path) throw new ValidationError('path: names a folder; PUT a file under it', 'path.invalid');
    // The client sends an empty file chunked, without a length.
    const length = headers['content-length'] ?? (bodyEmpty ? '0' : undefined);
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
    return planned.url === undefined
      ? { status: 200, body: {} }
      : { status: 307, headers: { location: planned.url }, body: {} };
  },
);

/** `mpu/create/<folder>` with `path` (the client's local file): the artifact is `<folder>/<file name>`. */
export const mlflowCreateMultipartUpload = createMlflowHandler(
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
