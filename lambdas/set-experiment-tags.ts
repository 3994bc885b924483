import { createHandler, serveRoutes } from '../shared/http/handler.ts';
import { mlflowSetExperimentTag } from '../shared/http/mlflow/handlers/set-experiment-tags.ts';
import { setExperimentTagsRoute } from '../shared/http/routes/set-experiment-tags.ts';
import { experimentView } from '../shared/http/views.ts';
import { trackingDeps } from '../shared/runtime.ts';
import { setExperimentTags } from '../shared/use-cases/lifecycle.ts';

const deps = trackingDeps();

export const handler = serveRoutes(
  createHandler(setExperimentTagsRoute, async ({ path, body }, { scope }) => ({
    body: experimentView(await setExperimentTags(scope, path.experiment_id, body.tags, deps)),
  })),
  mlflowSetExperimentTag,
);
