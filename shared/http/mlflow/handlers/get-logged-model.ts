import { loggedModelDeps } from '../../../runtime.ts';
import { getLoggedModel, searchLoggedModels } from '../../../use-cases/logged-models.ts';
import { createMlflowHandler } from '../handler.ts';
import { mlflowGetLoggedModelRoute } from '../../routes/mlflow-get-logged-model.ts';
import { mlflowSearchLoggedModelsRoute } from '../../routes/mlflow-search-logged-models.ts';
import { mlflowLoggedModel } from '../views.ts';

export const mlflowGetLoggedModel = createMlflowHandler(mlflowGetLoggedModelRoute, async ({ path }, { scope }) => ({
  body: { model: mlflowLoggedModel(await getLoggedModel(scope, path.model_id, loggedModelDeps())) },
}));

/** MLflow's SEARCH_LOGGED_MODEL_MAX_RESULTS_DEFAULT. */
const defaultLoggedModelsPage = 100;

export const mlflowSearchLoggedModels = createMlflowHandler(
  mlflowSearchLoggedModelsRoute,
  async ({ body }, { scope }) => {
    // MLflow's server finds nothing below 0; its answer then carries a token to an offset before
    // the first model, which a client following tokens would turn forever: no models, no token.
    if (body.max_results < 0) return { body: { models: [] } };
    const page = await searchLoggedModels(
      scope,
      {
        experimentIds: body.experiment_ids,
        filter: body.filter,
        datasets: body.datasets?.map((dataset) => ({ name: dataset.dataset_name, digest: dataset.dataset_digest })),
        orderBy: body.order_by,
        // 0 is proto3's unset field: MLflow's default page of 100.
        limit: body.max_results === 0 ? defaultLoggedModelsPage : body.max_results,
        pageToken: body.page_token,
      },
      loggedModelDeps(),
    );
    return {
      body: { models: page.items.map(mlflowLoggedModel), ...(page.cursor ? { next_page_token: page.cursor } : {}) },
    };
  },
);
