import { defineRoute } from '../route-definition.ts';
import { experimentIdBody } from '../mlflow/experiment-schemas.ts';
import { mlflowObject } from '../mlflow/fields.ts';

export const mlflowRestoreExperimentRoute = defineRoute({
  operationId: 'mlflowRestoreExperiment',
  dialect: 'mlflow',
  method: 'POST',
  path: '/api/2.0/mlflow/experiments/restore',
  entry: 'lambdas/restore-experiment.ts',
  summary: 'Restore a deleted experiment and its runs (MLflow); 404 if it is not deleted',
  access: 'write',
  tag: 'mlflow',
  request: { body: experimentIdBody },
  response: { status: 200, description: "MLflow's answer: {}", body: mlflowObject },
  table: { actions: ['GetItem', 'PutItem', 'UpdateItem'] },
});
