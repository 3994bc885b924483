import { defineRoute } from '../route-definition.ts';
import { mlflowObject } from '../mlflow/fields.ts';
import { setExperimentTagBody } from '../mlflow/experiment-schemas.ts';

export const mlflowSetExperimentTagRoute = defineRoute({
  operationId: 'mlflowSetExperimentTag',
  dialect: 'mlflow',
  method: 'POST',
  path: '/api/2.0/mlflow/experiments/set-experiment-tag',
  entry: 'lambdas/set-experiment-tags.ts',
  summary: 'Set a tag on an experiment (MLflow)',
  access: 'write',
  tag: 'mlflow',
  request: { body: setExperimentTagBody },
  response: { status: 200, description: "MLflow's answer: {}", body: mlflowObject },
  table: { actions: ['GetItem', 'PutItem', 'UpdateItem'] },
});
