import { createHandler, serveRoutes } from '../shared/http/handler.ts';
import { mlflowDeleteExperimentTag } from '../shared/http/mlflow/handlers/delete-experiment-tag.ts';
import { deleteExperimentTagRoute } from '../shared/http/routes/delete-experiment-tag.ts';
import { experimentView } from '../shared/http/views.ts';
import { trackingDeps } from '../shared/runtime.ts';
import { deleteExperimentTag } from '../shared/use-cases/lifecycle.ts';

const deps = trackingDeps();

export const handler = serveRoutes(
  createHandler(deleteExperimentTagRoute, async ({ path }, { scope }) => ({
    body: experimentView(await deleteExperimentTag(scope, path.experiment_id, path.tag_key, deps)),
  })),
  mlflowDeleteExperimentTag,
);
