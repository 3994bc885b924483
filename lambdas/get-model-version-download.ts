import { createHandler, serveRoutes } from '../shared/http/handler.ts';
import {
  mlflowGetModelVersionArtifact,
  mlflowGetModelVersionDownloadUri,
} from '../shared/http/mlflow/handlers/get-model-version-download.ts';
import { versionDownloadView } from '../shared/http/registry-views.ts';
import { getModelVersionDownloadRoute } from '../shared/http/routes/get-model-version-download.ts';
import { registryDeps } from '../shared/runtime.ts';
import { getModelVersionDownload } from '../shared/use-cases/model-registry.ts';

const deps = registryDeps();

export const handler = serveRoutes(
  createHandler(getModelVersionDownloadRoute, async ({ path }, { scope }) => ({
    body: versionDownloadView(await getModelVersionDownload(scope, path.model_name, path.version, deps)),
  })),
  mlflowGetModelVersionDownloadUri,
  mlflowGetModelVersionArtifact,
);
