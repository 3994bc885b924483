import { createHandler, serveRoutes } from '../shared/http/handler.ts';
import { mlflowDeleteRegisteredModel } from '../shared/http/mlflow/handlers/delete-registered-model.ts';
import { deleteRegisteredModelRoute } from '../shared/http/routes/delete-registered-model.ts';
import { registryRecordDeps } from '../shared/runtime.ts';
import { deleteRegisteredModel } from '../shared/use-cases/model-registry.ts';

const deps = registryRecordDeps();

export const handler = serveRoutes(
  createHandler(deleteRegisteredModelRoute, async ({ path }, { scope, principal }) => {
    await deleteRegisteredModel(scope, principal, path.model_name, deps);
    return { body: { deleted: true } };
  }),
  mlflowDeleteRegisteredModel,
);
