import { trackingDeps } from '../../../runtime.ts';
import { deleteRunTag } from '../../../use-cases/lifecycle.ts';
import { createMlflowHandler } from '../handler.ts';
import { requestRunId } from '../inputs.ts';
import { mlflowDeleteTagRoute } from '../../routes/mlflow-delete-tag.ts';

export const mlflowDeleteTag = createMlflowHandler(mlflowDeleteTagRoute, async ({ body }, { scope }) => {
  await deleteRunTag(scope, requestRunId(body), body.key, trackingDeps());
  return { body: {} };
});
