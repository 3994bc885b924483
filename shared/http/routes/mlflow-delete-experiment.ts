import { defineRoute } from '../route-definition.ts';
import { experimentIdBody } from '../mlflow/experiment-schemas.ts';
import { mlflowObject } from '../mlflow/fields.ts';

export const mlflowDeleteExperimentRoute = defineRoute({
  operationId: 'mlflowDeleteExperiment',
  dialect: 'mlflow',
  method: 'POST',
  path: '/api/2.0/mlflow/experiments/delete',
  entry: 'lambdas/delete-experiment.ts',
  summary: 'Soft-delete an experiment and, with it, its runs (MLflow); 404 if it is already deleted',
  access: 'write',
  tag: 'mlflow',
  request: { body: experimentIdBody },
  response: { status: 200, description: "MLflow's answer: {}", body: mlflowObject },
  table: { actions: ['GetItem', 'PutItem', 'UpdateItem'] },
});
