import { artifactView } from '../shared/http/artifact-views.ts';
import { createHandler, serveRoutes } from '../shared/http/handler.ts';
import { mlflowCompleteMultipartUpload } from '../shared/http/mlflow/handlers/complete-artifact-upload.ts';
import { completeArtifactUploadRoute } from '../shared/http/routes/complete-artifact-upload.ts';
import { artifactDeps } from '../shared/runtime.ts';
import { completeUpload } from '../shared/use-cases/artifacts.ts';

const deps = artifactDeps();

export const handler = serveRoutes(
  createHandler(completeArtifactUploadRoute, async ({ path, body }, { scope }) => {
    const artifact = await completeUpload(
      scope,
      path.run_id,
      {
        path: body.path,
        uploadId: body.upload_id,
        parts: body.parts?.map((part) => ({ partNumber: part.part_number, etag: part.etag })),
      },
      deps,
    );
    return { body: artifactView(artifact) };
  }),
  mlflowCompleteMultipartUpload,
);
