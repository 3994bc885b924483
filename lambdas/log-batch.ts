import { mlflowLogBatch } from '../shared/http/mlflow/handlers/log-batch.ts';

/** MLflow's log-batch; it joins the function of the `/api/v1` batch route once that exists (issue 13). */
export const handler = mlflowLogBatch;
