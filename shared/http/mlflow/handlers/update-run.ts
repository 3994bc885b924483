import { runEndDeps } from '../../../runtime.ts';
import { updateRun } from '../../../use-cases/lifecycle.ts';
import { createMlflowHandler } from '../handler.ts';
import { requestRunId } from '../inputs.ts';
import { mlflowUpdateRunRoute } from '../../routes/mlflow-update-run.ts';
import { mlflowRunInfo } from '../views.ts';

export const mlflowUpdateRun = createMlflowHandler(mlflowUpdateRunRoute, async ({ body }, { scope }) => {
  const run = await updateRun(
    scope,
    requestRunId(body),
    {
      // Stratus has no queue: a SCHEDULED run is one that runs.
      status: body.status === 'SCHEDULED' ? 'RUNNING' : body.status,
      endTime: body.end_time,
      runName: body.run_name,
    },
    runEndDeps(),
  );
  return { body: { run_info: mlflowRunInfo(run) } };
});
