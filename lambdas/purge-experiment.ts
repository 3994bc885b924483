import { createHandler } from '../shared/http/handler.ts';
import { purgeExperimentRoute } from '../shared/http/routes/purge-experiment.ts';
import { purgeDeps } from '../shared/runtime.ts';
import { purgeExperiment } from '../shared/use-cases/purge.ts';

const deps = purgeDeps();

export const handler = createHandler(purgeExperimentRoute, async ({ path }, { scope }) => ({
  body: { purged: await purgeExperiment(scope, path.experiment_id, deps) },
}));
