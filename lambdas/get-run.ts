import { artifactView } from '../shared/http/artifact-views.ts';
import { createHandler, serveRoutes } from '../shared/http/handler.ts';
import { mlflowGetRun } from '../shared/http/mlflow/handlers/get-run.ts';
import { getRunRoute } from '../shared/http/routes/get-run.ts';
import { runDetailsView } from '../shared/http/views.ts';
import { artifactRepository, runReader } from '../shared/runtime.ts';
import { getRunWithArtifacts } from '../shared/use-cases/artifacts.ts';

const deps = { runs: runReader(), artifacts: artifactRepository() };

export const handler = serveRoutes(
  createHandler(getRunRoute, async ({ path }, { scope }) => {
    const run = await getRunWithArtifacts(scope, path.run_id, deps);
    return { body: { ...runDetailsView(run), artifacts: run.artifacts.map(artifactView) } };
  }),
  mlflowGetRun,
);
