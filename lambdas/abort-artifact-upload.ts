import { createHandler, serveRoutes } from '../shared/http/handler.ts';
import { mlflowAbortMultipartUpload } from '../shared/http/mlflow/handlers/abort-artifact-upload.ts';
import { abortArtifactUploadRoute } from '../shared/http/routes/abort-artifact-upload.ts';
import { artifactDeps } from '../shared/runtime.ts';
import { abortUpload } from '../shared/use-cases/artifacts.ts';

const deps = artifactDeps();

export const handler = serveRoutes(
  createHandler(abortArtifactUploadRoute, async ({ path, body }, { scope }) => {
    const aborted = await abortUpload(scope, path.run_id, { path: body.path, uploadId: body.upload_id }, deps);
    return { body: { path: aborted.path, upload_id: aborted.uploadId, status: 'ABORTED' } };
  }),
  mlflowAbortMultipartUpload,
);
