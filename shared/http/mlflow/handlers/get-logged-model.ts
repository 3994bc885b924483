import { loggedModelDeps } from '../../../runtime.ts';
import { getLoggedModel, searchLoggedModels } from '../../../use-cases/logged-models.ts';
import { createMlflowHandler } from '../handler.ts';
import { mlflowGetLoggedModelRoute } from '../../routes/mlflow-get-logged-model.ts';
import { mlflowSearchLoggedModelsRoute } from '../../routes/mlflow-search-logged-models.ts';
import { mlflowLoggedModel } from '../views.ts';

export const mlflowGetLoggedModel = createMlflowHandler(mlflowGetLoggedModelRoute, async ({ path }, { scope }) => ({
  body: { model: mlflowLoggedModel(await getLoggedModel(scope, path.model_id, loggedModelDeps())) },
}));

export const mlflowSearchLoggedModels = createMlflowHandler(
  mlflowSearchLoggedModelsRoute,
  async ({ body }, { scope }) => {
    const page = await searchLoggedModels(
      scope,
      {
        experimentIds: body.experiment_ids,
        filter: body.filter,
        datasets: body.datasets?.map((dataset) => ({ name: dataset.dataset_name, digest: dataset.dataset_digest })),
        orderBy: body.order_by,
        limit: body.max_results,
        pageToken: body.page_token,
      },
      loggedModelDeps(),
    );
    return {
      body: { models: page.items.map(mlflowLoggedModel), ...(page.cursor ? { next_page_token: page.cursor } : {}) },
    };
  },
);
