import { createHandler, serveRoutes } from '../shared/http/handler.ts';
import { mlflowGetModelVersion } from '../shared/http/mlflow/handlers/get-model-version.ts';
import { modelVersionView } from '../shared/http/registry-views.ts';
import { getModelVersionRoute } from '../shared/http/routes/get-model-version.ts';
import { registryRecordDeps } from '../shared/runtime.ts';
import { getModelVersion } from '../shared/use-cases/model-registry.ts';

const deps = registryRecordDeps();

export const handler = serveRoutes(
  createHandler(getModelVersionRoute, async ({ path }, { scope }) => ({
    body: modelVersionView(await getModelVersion(scope, path.model_name, path.version, deps)),
  })),
  mlflowGetModelVersion,
);
