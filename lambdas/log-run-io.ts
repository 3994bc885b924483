import { serveRoutes } from '../shared/http/handler.ts';
import { mlflowLogInputs, mlflowLogOutputs } from '../shared/http/mlflow/handlers/log-run-io.ts';

/** MLflow's log-inputs and outputs: the datasets a run used and the models it produced. */
export const handler = serveRoutes(mlflowLogInputs, mlflowLogOutputs);
