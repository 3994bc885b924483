import { defineRoute } from '../route-definition.ts';
import { experimentIdBody, mlflowObject } from '../mlflow/schemas.ts';

export const mlflowDeleteExperimentRoute = defineRoute({
  operationId: 'mlflowDeleteExperiment',
  dialect: 'mlflow',
  method: 'POST',
  path: '/api/2.0/mlflow/experiments/delete',
  entry: 'lambdas/delete-experiment.ts',
  summary: 'Soft-delete an experiment (MLflow)',
  access: 'write',
  tag: 'mlflow',
  request: { body: experimentIdBody },
  response: { status: 200, description: "MLflow's answer: {}", body: mlflowObject },
  table: { actions: ['GetItem', 'PutItem', 'UpdateItem'] },
});
