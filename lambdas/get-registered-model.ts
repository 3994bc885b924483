import { createHandler, serveRoutes } from '../shared/http/handler.ts';
import { mlflowGetRegisteredModel } from '../shared/http/mlflow/handlers/get-registered-model.ts';
import { registeredModelView } from '../shared/http/registry-views.ts';
import { getRegisteredModelRoute } from '../shared/http/routes/get-registered-model.ts';
import { registryRecordDeps } from '../shared/runtime.ts';
import { getRegisteredModel, newestVersions } from '../shared/use-cases/model-registry.ts';

const deps = registryRecordDeps();

export const handler = serveRoutes(
  createHandler(getRegisteredModelRoute, async ({ path }, { scope }) => {
    const model = await getRegisteredModel(scope, path.model_name, deps);
    const newest = await newestVersions(scope, [model], deps);
    return { body: registeredModelView(model, newest.get(model.modelId) ?? 0) };
  }),
  mlflowGetRegisteredModel,
);
