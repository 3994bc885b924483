import { createHandler, serveRoutes } from '../shared/http/handler.ts';
import { mlflowLogInputs, mlflowLogOutputs } from '../shared/http/mlflow/handlers/log-run-io.ts';
import { logRunInputsRoute } from '../shared/http/routes/log-run-inputs.ts';
import { runInputsOf } from '../shared/http/run-inputs.ts';
import { runLineageView } from '../shared/http/run-lineage-view.ts';
import { loggedModelDeps } from '../shared/runtime.ts';
import { getRunLineage, recordRunIo } from '../shared/use-cases/logged-models.ts';

const deps = loggedModelDeps();

/** The datasets a run used and the models it used and produced: `/api/v1`'s inputs, MLflow's log-inputs and outputs. */
export const handler = serveRoutes(
  createHandler(logRunInputsRoute, async ({ path, body }, { scope }) => {
    await recordRunIo(scope, path.run_id, runInputsOf(body), deps);
    return { body: runLineageView(path.run_id, await getRunLineage(scope, path.run_id, deps)) };
  }),
  mlflowLogInputs,
  mlflowLogOutputs,
);
