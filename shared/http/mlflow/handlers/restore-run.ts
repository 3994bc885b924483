import { trackingDeps } from '../../../runtime.ts';
import { restoreRun } from '../../../use-cases/lifecycle.ts';
import { createMlflowHandler } from '../handler.ts';
import { requestRunId } from '../inputs.ts';
import { mlflowRestoreRunRoute } from '../../routes/mlflow-restore-run.ts';

export const mlflowRestoreRun = createMlflowHandler(mlflowRestoreRunRoute, async ({ body }, { scope }) => {
  await restoreRun(scope, requestRunId(body), trackingDeps());
  return { body: {} };
});
