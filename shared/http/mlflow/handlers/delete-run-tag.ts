import { trackingDeps } from '../../../runtime.ts';
import { deleteRunTag, removeRunParent } from '../../../use-cases/lifecycle.ts';
import { requireActiveRun } from '../../../use-cases/runs.ts';
import { createMlflowHandler } from '../handler.ts';
import { requestRunId } from '../inputs.ts';
import { mlflowDeleteTagRoute } from '../../routes/mlflow-delete-tag.ts';
import { parentRunTag, runNameTag } from '../views.ts';

/**
 * `mlflow.runName` is the run's name, which Stratus keeps as a field and shows
 * as that tag: deleting it succeeds, as on MLflow's server (where the run keeps
 * its name too), and changes nothing. `mlflow.parentRunId` is the run's parent:
 * deleting it un-nests the run, as on MLflow's server.
 */
export const mlflowDeleteTag = createMlflowHandler(mlflowDeleteTagRoute, async ({ body }, { scope }) => {
  const runId = requestRunId(body);
  if (body.key === runNameTag) await requireActiveRun(scope, runId, trackingDeps());
  else if (body.key === parentRunTag) await removeRunParent(scope, runId, body.key, trackingDeps());
  else await deleteRunTag(scope, runId, body.key, trackingDeps());
  return { body: {} };
});
