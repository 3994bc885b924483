import { defineRoute } from '../route-definition.ts';
import { experimentIdQuery } from '../mlflow/experiment-schemas.ts';
import { mlflowObject } from '../mlflow/fields.ts';

export const mlflowGetExperimentRoute = defineRoute({
  operationId: 'mlflowGetExperiment',
  dialect: 'mlflow',
  method: 'GET',
  path: '/api/2.0/mlflow/experiments/get',
  entry: 'lambdas/get-experiment.ts',
  summary: 'Get an experiment by id; "0" is the workspace\'s default experiment (MLflow)',
  access: 'read',
  tag: 'mlflow',
  request: { query: experimentIdQuery },
  response: { status: 200, description: 'MLflow\'s answer: {"experiment"}', body: mlflowObject },
  table: { actions: ['GetItem', 'PutItem'] },
});
