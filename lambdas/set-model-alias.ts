import { createHandler, serveRoutes } from '../shared/http/handler.ts';
import { mlflowSetRegisteredModelAlias } from '../shared/http/mlflow/handlers/set-model-alias.ts';
import { registeredModelView } from '../shared/http/registry-views.ts';
import { setModelAliasRoute } from '../shared/http/routes/set-model-alias.ts';
import { registryRecordDeps } from '../shared/runtime.ts';
import { newestVersions, setModelAlias } from '../shared/use-cases/model-registry.ts';

const deps = registryRecordDeps();

export const handler = serveRoutes(
  createHandler(setModelAliasRoute, async ({ path, body }, { scope, principal }) => {
    const model = await setModelAlias(scope, principal, path.model_name, path.alias, body.version, deps);
    const newest = await newestVersions(scope, [model], deps);
    return { body: registeredModelView(model, newest.get(model.modelId) ?? 0) };
  }),
  mlflowSetRegisteredModelAlias,
);
