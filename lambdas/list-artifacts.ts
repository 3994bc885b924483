import { artifactView } from '../shared/http/artifact-views.ts';
import { createHandler, serveRoutes } from '../shared/http/handler.ts';
import { mlflowListArtifacts, mlflowListArtifactsProxied } from '../shared/http/mlflow/handlers/list-artifacts.ts';
import { listArtifactsRoute } from '../shared/http/routes/list-artifacts.ts';
import { artifactDeps } from '../shared/runtime.ts';
import { listArtifactLevel, listArtifacts } from '../shared/use-cases/artifacts.ts';
import { sealPageTokensWithDeploymentSecret } from '../shared/runtime-page-tokens.ts';

sealPageTokensWithDeploymentSecret();

const deps = artifactDeps();

export const handler = serveRoutes(
  createHandler(listArtifactsRoute, async ({ path, query }, { scope }) => {
    if (query.delimiter) {
      const level = await listArtifactLevel(
        scope,
        path.run_id,
        { folder: query.prefix ?? '', limit: query.max_results, pageToken: query.page_token },
        deps,
      );
      return {
        body: { artifacts: level.files.map(artifactView), folders: level.folders, next_page_token: level.cursor },
      };
    }
    const page = await listArtifacts(
      scope,
      path.run_id,
      { prefix: query.prefix, limit: query.max_results, pageToken: query.page_token },
      deps,
    );
    return { body: { artifacts: page.items.map(artifactView), next_page_token: page.cursor } };
  }),
  mlflowListArtifacts,
  mlflowListArtifactsProxied,
);
