import { createHandler, serveRoutes } from '../shared/http/handler.ts';
import { mlflowDeleteRegisteredModelAlias } from '../shared/http/mlflow/handlers/delete-model-alias.ts';
import { deleteModelAliasRoute } from '../shared/http/routes/delete-model-alias.ts';
import { registryRecordDeps } from '../shared/runtime.ts';
import { deleteModelAlias } from '../shared/use-cases/model-registry.ts';

const deps = registryRecordDeps();

export const handler = serveRoutes(
  createHandler(deleteModelAliasRoute, async ({ path }, { scope, principal }) => {
    await deleteModelAlias(scope, principal, path.model_name, path.alias, deps);
    return { body: { deleted: true } };
  }),
  mlflowDeleteRegisteredModelAlias,
);
