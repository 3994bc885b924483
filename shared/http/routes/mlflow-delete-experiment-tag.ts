import { defineRoute } from '../route-definition.ts';
import { deleteExperimentTagBody } from '../mlflow/experiment-schemas.ts';
import { mlflowObject } from '../mlflow/fields.ts';

export const mlflowDeleteExperimentTagRoute = defineRoute({
  operationId: 'mlflowDeleteExperimentTag',
  dialect: 'mlflow',
  method: 'POST',
  path: '/api/2.0/mlflow/experiments/delete-experiment-tag',
  entry: 'lambdas/delete-experiment-tag.ts',
  summary: 'Delete a tag of an experiment (MLflow)',
  access: 'write',
  tag: 'mlflow',
  request: { body: deleteExperimentTagBody },
  response: { status: 200, description: "MLflow's answer: {}", body: mlflowObject },
  table: { actions: ['GetItem', 'PutItem', 'UpdateItem'] },
});
