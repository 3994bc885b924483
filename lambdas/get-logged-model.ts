import { createHandler, serveRoutes } from '../shared/http/handler.ts';
import { loggedModelView } from '../shared/http/logged-model-view.ts';
import { mlflowGetLoggedModel, mlflowSearchLoggedModels } from '../shared/http/mlflow/handlers/get-logged-model.ts';
import { listLoggedModelsRoute } from '../shared/http/routes/list-logged-models.ts';
import { loggedModelDeps } from '../shared/runtime.ts';
import { sealPageTokensWithDeploymentSecret } from '../shared/runtime-page-tokens.ts';
import { listLoggedModels } from '../shared/use-cases/logged-models.ts';

sealPageTokensWithDeploymentSecret();

const deps = loggedModelDeps();

/**
 * Reading MLflow 3's logged models: by id, and by name within experiments (how `runs:/<id>/model`
 * resolves); and `/api/v1`'s listing of an experiment's models.
 */
export const handler = serveRoutes(
  mlflowGetLoggedModel,
  mlflowSearchLoggedModels,
  createHandler(listLoggedModelsRoute, async ({ path, query }, { scope }) => {
    const page = await listLoggedModels(
      scope,
      path.experiment_id,
      { limit: query.max_results, pageToken: query.page_token },
      deps,
    );
    return { body: { models: page.items.map(loggedModelView), next_page_token: page.cursor } };
  }),
);
