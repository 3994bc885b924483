import { createHandler, serveRoutes } from '../shared/http/handler.ts';
import { mlflowLogParam } from '../shared/http/mlflow/handlers/log-params.ts';
import { logParamsRoute } from '../shared/http/routes/log-params.ts';
import { runWriteDeps } from '../shared/runtime.ts';
import { logParams } from '../shared/use-cases/runs.ts';

const deps = runWriteDeps();

export const handler = serveRoutes(
  createHandler(logParamsRoute, async ({ path, body }, { scope }) => {
    await logParams(scope, path.run_id, body.params, deps);
    return { body: { run_id: path.run_id, params: body.params } };
  }),
  mlflowLogParam,
);
