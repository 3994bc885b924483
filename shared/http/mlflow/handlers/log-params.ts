import { runWriteDeps } from '../../../runtime.ts';
import { logParams } from '../../../use-cases/runs.ts';
import { createMlflowHandler } from '../handler.ts';
import { requestRunId, tagMap } from '../inputs.ts';
import { inMlflowParamWords } from '../param-changes.ts';
import { mlflowLogParamRoute } from '../../routes/mlflow-log-param.ts';

export const mlflowLogParam = createMlflowHandler(mlflowLogParamRoute, async ({ body }, { scope }) => {
  await inMlflowParamWords('param', () =>
    logParams(scope, requestRunId(body), tagMap([body]), runWriteDeps(), { evenIfEnded: true }),
  );
  return { body: {} };
});
