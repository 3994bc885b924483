import { defineRoute } from '../route-definition.ts';
import { createExperimentBody } from '../mlflow/experiment-schemas.ts';
import { mlflowObject } from '../mlflow/fields.ts';

export const mlflowCreateExperimentRoute = defineRoute({
  operationId: 'mlflowCreateExperiment',
  dialect: 'mlflow',
  method: 'POST',
  path: '/api/2.0/mlflow/experiments/create',
  entry: 'lambdas/create-experiment.ts',
  summary: 'Create an experiment (MLflow)',
  access: 'write',
  tag: 'mlflow',
  request: { body: createExperimentBody },
  response: { status: 200, description: 'MLflow\'s answer: {"experiment_id"}', body: mlflowObject },
  table: { actions: ['GetItem', 'PutItem'] },
});
