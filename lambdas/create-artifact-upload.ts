import { uploadPlanView } from '../shared/http/artifact-views.ts';
import { createHandler, serveRoutes } from '../shared/http/handler.ts';
import {
  mlflowCreateMultipartUpload,
  mlflowUploadArtifact,
} from '../shared/http/mlflow/handlers/create-artifact-upload.ts';
import { createArtifactUploadRoute } from '../shared/http/routes/create-artifact-upload.ts';
import { artifactDeps } from '../shared/runtime.ts';
import { requestUpload } from '../shared/use-cases/artifacts.ts';

const deps = artifactDeps();

export const handler = serveRoutes(
  createHandler(createArtifactUploadRoute, async ({ path, body }, { scope }) => {
    const plan = await requestUpload(
      scope,
      path.run_id,
      {
        path: body.path,
        artifactType: body.artifact_type,
        sizeBytes: body.size_bytes,
        contentType: body.content_type,
        sha256: body.sha256,
      },
      deps,
    );
    return { body: uploadPlanView(plan) };
  }),
  mlflowUploadArtifact,
  mlflowCreateMultipartUpload,
);
