import { createHandler, serveRoutes } from '../shared/http/handler.ts';
import { mlflowCreateRegisteredModel } from '../shared/http/mlflow/handlers/create-registered-model.ts';
import { registeredModelView } from '../shared/http/registry-views.ts';
import { createRegisteredModelRoute } from '../shared/http/routes/create-registered-model.ts';
import { registryRecordDeps } from '../shared/runtime.ts';
import { createRegisteredModel } from '../shared/use-cases/model-registry.ts';

const deps = registryRecordDeps();

export const handler = serveRoutes(
  createHandler(createRegisteredModelRoute, async ({ body }, { scope }) => {
    const model = await createRegisteredModel(scope, body, deps);
    return { body: registeredModelView(model, 0) };
  }),
  mlflowCreateRegisteredModel,
);
