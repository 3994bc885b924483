import { artifactView } from '../shared/http/artifact-views.ts';
import { createHandler } from '../shared/http/handler.ts';
import { listArtifactsRoute } from '../shared/http/routes/list-artifacts.ts';
import { artifactRepository, trackingDeps } from '../shared/runtime.ts';
import { listArtifacts } from '../shared/use-cases/artifacts.ts';

const deps = { artifacts: artifactRepository(), runs: trackingDeps().runs };

export const handler = createHandler(listArtifactsRoute, async ({ path, query }, { scope }) => {
  const page = await listArtifacts(
    scope,
    path.run_id,
    { prefix: query.prefix, limit: query.max_results, pageToken: query.page_token },
    deps,
  );
  return { body: { artifacts: page.items.map(artifactView), next_page_token: page.cursor } };
});
