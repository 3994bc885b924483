import { createHandler } from '../shared/http/handler.ts';
import { routes } from '../shared/http/routes.ts';
import { experimentView } from '../shared/http/views.ts';
import { trackingDeps } from '../shared/runtime.ts';
import { createExperiment } from '../shared/use-cases/experiments.ts';

const deps = trackingDeps();

export const handler = createHandler(routes.createExperiment, async ({ body }, { scope }) => {
  const experiment = await createExperiment(
    scope,
    { name: body.experiment_name, description: body.description, tags: body.tags },
    deps,
  );
  return { body: experimentView(experiment) };
});
