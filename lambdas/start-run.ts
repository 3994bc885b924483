import { createHandler } from '../shared/http/handler.ts';
import { startRunInput } from '../shared/http/inputs.ts';
import { startRunRoute } from '../shared/http/routes/start-run.ts';
import { runDetailsView } from '../shared/http/views.ts';
import { runCreateDeps } from '../shared/runtime.ts';
import { startRun, startRunInExperimentNamed } from '../shared/use-cases/runs.ts';

const deps = runCreateDeps();

export const handler = createHandler(startRunRoute, async ({ body, headers }, { scope }) => {
  const input = startRunInput(body, headers);
  const run = body.experiment_id
    ? await startRun(scope, body.experiment_id, input, deps)
    : await startRunInExperimentNamed(scope, body.experiment_name as string, input, deps);
  return { body: runDetailsView(run) };
});
