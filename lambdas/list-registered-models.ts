import { createHandler, serveRoutes } from '../shared/http/handler.ts';
import { mlflowSearchRegisteredModels } from '../shared/http/mlflow/handlers/list-registered-models.ts';
import { registeredModelView } from '../shared/http/registry-views.ts';
import { listRegisteredModelsRoute } from '../shared/http/routes/list-registered-models.ts';
import { registryRecordDeps } from '../shared/runtime.ts';
import { tagFilters } from '../shared/http/registry-inputs.ts';
import { listRegisteredModels, newestVersions } from '../shared/use-cases/model-registry.ts';
import { sealPageTokensWithDeploymentSecret } from '../shared/runtime-page-tokens.ts';

sealPageTokensWithDeploymentSecret();

const deps = registryRecordDeps();

export const handler = serveRoutes(
  createHandler(listRegisteredModelsRoute, async ({ query }, { scope }) => {
    const page = await listRegisteredModels(
      scope,
      {
        by: query.order_by.startsWith('updated_at') ? 'updated' : 'name',
        descending: query.order_by.endsWith(' DESC'),
        namePrefix: query.name_prefix,
        nameContains: query.name_contains,
        tags: tagFilters(query),
        limit: query.max_results,
        pageToken: query.page_token,
      },
      deps,
    );
    const newest = await newestVersions(scope, page.items, deps);
    return {
      body: {
        models: page.items.map((model) => registeredModelView(model, newest.get(model.modelId) ?? 0)),
        next_page_token: page.cursor,
      },
    };
  }),
  mlflowSearchRegisteredModels,
);
