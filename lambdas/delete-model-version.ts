import { createHandler, serveRoutes } from '../shared/http/handler.ts';
import { mlflowDeleteModelVersion } from '../shared/http/mlflow/handlers/delete-model-version.ts';
import { deleteModelVersionRoute } from '../shared/http/routes/delete-model-version.ts';
import { registryRecordDeps } from '../shared/runtime.ts';
import { deleteModelVersion } from '../shared/use-cases/model-registry.ts';

const deps = registryRecordDeps();

export const handler = serveRoutes(
  createHandler(deleteModelVersionRoute, async ({ path }, { scope, principal }) => {
    await deleteModelVersion(scope, principal, path.model_name, path.version, deps);
    return { body: { deleted: true } };
  }),
  mlflowDeleteModelVersion,
);
