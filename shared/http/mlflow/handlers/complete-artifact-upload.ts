import { artifactDeps } from '../../../runtime.ts';
import { completeClientPartedUpload } from '../../../use-cases/proxied-artifacts.ts';
import { createMlflowHandler } from '../handler.ts';
import { multipartTargetPath, parseProxiedPath } from '../inputs.ts';
import { mlflowCompleteMultipartUploadRoute } from '../../routes/mlflow-complete-multipart-upload.ts';

export const mlflowCompleteMultipartUpload = createMlflowHandler(
  mlflowCompleteMultipartUploadRoute,
  async ({ path, body }, { scope }) => {
    const target = parseProxiedPath(path.artifact_path, 'path');
    await completeClientPartedUpload(
      scope,
      target.runId,
      {
        path: multipartTargetPath(target.path, body.path),
        uploadId: body.upload_id,
        parts: body.parts.map((part) => ({ partNumber: part.part_number, etag: part.etag })),
      },
      artifactDeps(),
    );
    return { body: {} };
  },
);
