import { createHandler, serveRoutes } from '../shared/http/handler.ts';
import { mlflowSearchModelVersions } from '../shared/http/mlflow/handlers/list-run-model-versions.ts';
import { modelVersionView } from '../shared/http/registry-views.ts';
import { listRunModelVersionsRoute } from '../shared/http/routes/list-run-model-versions.ts';
import { registryRecordDeps } from '../shared/runtime.ts';
import { listRunModelVersions } from '../shared/use-cases/model-registry.ts';
import { sealPageTokensWithDeploymentSecret } from '../shared/runtime-page-tokens.ts';

sealPageTokensWithDeploymentSecret();

const deps = registryRecordDeps();

export const handler = serveRoutes(
  createHandler(listRunModelVersionsRoute, async ({ path, query }, { scope }) => {
    const page = await listRunModelVersions(
      scope,
      path.run_id,
      { limit: query.max_results, pageToken: query.page_token },
      deps,
    );
    return { body: { versions: page.items.map(modelVersionView), next_page_token: page.cursor } };
  }),
  mlflowSearchModelVersions,
);
