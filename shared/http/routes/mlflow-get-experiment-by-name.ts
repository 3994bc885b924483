import { defineRoute } from '../route-definition.ts';
import { experimentNameQuery } from '../mlflow/experiment-schemas.ts';
import { mlflowObject } from '../mlflow/fields.ts';

export const mlflowGetExperimentByNameRoute = defineRoute({
  operationId: 'mlflowGetExperimentByName',
  dialect: 'mlflow',
  method: 'GET',
  path: '/api/2.0/mlflow/experiments/get-by-name',
  entry: 'lambdas/get-experiment-by-name.ts',
  summary: 'Get an experiment by name (MLflow)',
  access: 'read',
  tag: 'mlflow',
  request: { query: experimentNameQuery },
  response: { status: 200, description: 'MLflow\'s answer: {"experiment"}', body: mlflowObject },
  table: { actions: ['GetItem'] },
});
