import { trackingDeps } from '../../../runtime.ts';
import { deleteRun } from '../../../use-cases/lifecycle.ts';
import { createMlflowHandler } from '../handler.ts';
import { requestRunId } from '../inputs.ts';
import { mlflowDeleteRunRoute } from '../../routes/mlflow-delete-run.ts';

export const mlflowDeleteRun = createMlflowHandler(mlflowDeleteRunRoute, async ({ body }, { scope }) => {
  await deleteRun(scope, requestRunId(body), trackingDeps());
  return { body: {} };
});
