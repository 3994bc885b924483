import { artifactDeps } from '../../../runtime.ts';
import { abortUpload } from '../../../use-cases/artifacts.ts';
import { createMlflowHandler } from '../handler.ts';
import { multipartTargetPath, parseProxiedPath } from '../inputs.ts';
import { mlflowAbortMultipartUploadRoute } from '../../routes/mlflow-abort-multipart-upload.ts';

export const mlflowAbortMultipartUpload = createMlflowHandler(
  mlflowAbortMultipartUploadRoute,
  async ({ path, body }, { scope }) => {
    const target = parseProxiedPath(path.artifact_path, 'path');
    await abortUpload(
      scope,
      target.runId,
      { path: multipartTargetPath(target.path, body.path), uploadId: body.upload_id },
      artifactDeps(),
    );
    return { body: {} };
  },
);
