import { createHandler, serveRoutes } from '../shared/http/handler.ts';
import { mlflowCreateExperiment } from '../shared/http/mlflow/handlers/create-experiment.ts';
import { createExperimentRoute } from '../shared/http/routes/create-experiment.ts';
import { experimentView } from '../shared/http/views.ts';
import { trackingDeps } from '../shared/runtime.ts';
import { createExperiment } from '../shared/use-cases/experiments.ts';

const deps = trackingDeps();

export const handler = serveRoutes(
  createHandler(createExperimentRoute, async ({ body }, { scope }) => {
    const experiment = await createExperiment(
      scope,
      { name: body.experiment_name, description: body.description, tags: body.tags },
      deps,
    );
    return { body: experimentView(experiment) };
  }),
  mlflowCreateExperiment,
);
