import { runEndDeps } from '../../../runtime.ts';
import { createMlflowHandler } from '../handler.ts';
import { requestRunId, tagMap } from '../inputs.ts';
import { mlflowSetTagRoute } from '../../routes/mlflow-set-tag.ts';
import { setMlflowRunTags } from './run-tags.ts';

export const mlflowSetTag = createMlflowHandler(mlflowSetTagRoute, async ({ body }, { scope }) => {
  await setMlflowRunTags(scope, requestRunId(body), tagMap([body]), runEndDeps());
  return { body: {} };
});
