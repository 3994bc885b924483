import { defineRoute } from '../route-definition.ts';
import { mlflowObject } from '../mlflow/fields.ts';
import { updateExperimentBody } from '../mlflow/experiment-schemas.ts';

export const mlflowUpdateExperimentRoute = defineRoute({
  operationId: 'mlflowUpdateExperiment',
  dialect: 'mlflow',
  method: 'POST',
  path: '/api/2.0/mlflow/experiments/update',
  entry: 'lambdas/update-experiment.ts',
  summary: 'Rename an experiment (MLflow)',
  access: 'write',
  tag: 'mlflow',
  request: { body: updateExperimentBody },
  response: { status: 200, description: "MLflow's answer: {}", body: mlflowObject },
  table: { actions: ['GetItem', 'PutItem', 'DeleteItem', 'UpdateItem'] },
});
