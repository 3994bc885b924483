import { createHandler, serveRoutes } from '../shared/http/handler.ts';
import { mlflowGetModelVersionByAlias } from '../shared/http/mlflow/handlers/get-model-version-by-alias.ts';
import { modelVersionView } from '../shared/http/registry-views.ts';
import { getModelVersionByAliasRoute } from '../shared/http/routes/get-model-version-by-alias.ts';
import { registryRecordDeps } from '../shared/runtime.ts';
import { getModelVersionByAlias } from '../shared/use-cases/model-registry.ts';

const deps = registryRecordDeps();

export const handler = serveRoutes(
  createHandler(getModelVersionByAliasRoute, async ({ path }, { scope }) => ({
    body: modelVersionView(await getModelVersionByAlias(scope, path.model_name, path.alias, deps)),
  })),
  mlflowGetModelVersionByAlias,
);
