import { loggedModelDeps } from '../../../runtime.ts';
import { getRun } from '../../../use-cases/runs.ts';
import { createMlflowHandler } from '../handler.ts';
import { requestRunId } from '../inputs.ts';
import { mlflowGetRunRoute } from '../../routes/mlflow-get-run.ts';
import { boundedMlflowRun } from '../views.ts';

export const mlflowGetRun = createMlflowHandler(mlflowGetRunRoute, async ({ query }, { scope }) => {
  const deps = loggedModelDeps();
  const runId = requestRunId(query);
  const [run, io] = await Promise.all([getRun(scope, runId, deps), deps.loggedModels.getRunIo(scope.workspace, runId)]);
  return { body: { run: boundedMlflowRun(run, io) } };
});
