import { createHandler, serveRoutes } from '../shared/http/handler.ts';
import {
  mlflowGetLatestVersions,
  mlflowGetLatestVersionsGet,
} from '../shared/http/mlflow/handlers/list-model-versions.ts';
import { modelVersionView } from '../shared/http/registry-views.ts';
import { listModelVersionsRoute } from '../shared/http/routes/list-model-versions.ts';
import { registryRecordDeps } from '../shared/runtime.ts';
import { listModelVersions } from '../shared/use-cases/model-registry.ts';
import { sealPageTokensWithDeploymentSecret } from '../shared/runtime-page-tokens.ts';

sealPageTokensWithDeploymentSecret();

const deps = registryRecordDeps();

export const handler = serveRoutes(
  createHandler(listModelVersionsRoute, async ({ path, query }, { scope }) => {
    const page = await listModelVersions(
      scope,
      path.model_name,
      { limit: query.max_results, pageToken: query.page_token },
      deps,
    );
    return { body: { versions: page.items.map(modelVersionView), next_page_token: page.cursor } };
  }),
  mlflowGetLatestVersions,
  mlflowGetLatestVersionsGet,
);
