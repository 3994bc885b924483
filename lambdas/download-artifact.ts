import { createHandler, serveRoutes } from '../shared/http/handler.ts';
import {
  mlflowDownloadArtifactProxied,
  mlflowGetArtifact,
  mlflowPresignedDownload,
} from '../shared/http/mlflow/handlers/download-artifact.ts';
import { downloadArtifactRoute } from '../shared/http/routes/download-artifact.ts';
import { artifactDeps } from '../shared/runtime.ts';
import { downloadArtifact } from '../shared/use-cases/artifacts.ts';

const deps = artifactDeps();

export const handler = serveRoutes(
  createHandler(downloadArtifactRoute, async ({ path, query }, { scope }) => {
    const link = await downloadArtifact(scope, path.run_id, query.path, deps);
    const body = { path: link.path, url: link.url, expires_at: link.expiresAt, size_bytes: link.sizeBytes };
    // Browsers follow the 302 straight to S3; API clients take the JSON.
    return query.redirect ? { status: 302, headers: { location: link.url }, body } : { body };
  }),
  mlflowDownloadArtifactProxied,
  mlflowPresignedDownload,
  mlflowGetArtifact,
);
