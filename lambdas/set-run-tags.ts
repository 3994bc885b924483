import { createHandler, serveRoutes } from '../shared/http/handler.ts';
import { mlflowSetTag } from '../shared/http/mlflow/handlers/set-run-tags.ts';
import { setRunTagsRoute } from '../shared/http/routes/set-run-tags.ts';
import { runView } from '../shared/http/views.ts';
import { runEndDeps } from '../shared/runtime.ts';
import { setRunTags } from '../shared/use-cases/runs.ts';

const deps = runEndDeps();

export const handler = serveRoutes(
  createHandler(setRunTagsRoute, async ({ path, body }, { scope }) => ({
    body: runView(await setRunTags(scope, path.run_id, body.tags, deps)),
  })),
  mlflowSetTag,
);
