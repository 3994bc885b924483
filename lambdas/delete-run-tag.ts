import { createHandler, serveRoutes } from '../shared/http/handler.ts';
import { mlflowDeleteTag } from '../shared/http/mlflow/handlers/delete-run-tag.ts';
import { deleteRunTagRoute } from '../shared/http/routes/delete-run-tag.ts';
import { runView } from '../shared/http/views.ts';
import { trackingDeps } from '../shared/runtime.ts';
import { deleteRunTag } from '../shared/use-cases/lifecycle.ts';

const deps = trackingDeps();

export const handler = serveRoutes(
  createHandler(deleteRunTagRoute, async ({ path }, { scope }) => ({
    body: runView(await deleteRunTag(scope, path.run_id, path.tag_key, deps)),
  })),
  mlflowDeleteTag,
);
