import { defineRoute } from '../route-definition.ts';
import { mlflowObject } from '../mlflow/fields.ts';
import { runIdBody } from '../mlflow/run-schemas.ts';

export const mlflowDeleteRunRoute = defineRoute({
  operationId: 'mlflowDeleteRun',
  dialect: 'mlflow',
  method: 'POST',
  path: '/api/2.0/mlflow/runs/delete',
  entry: 'lambdas/delete-run.ts',
  summary: 'Soft-delete a run (MLflow)',
  access: 'write',
  tag: 'mlflow',
  request: { body: runIdBody },
  response: { status: 200, description: "MLflow's answer: {}", body: mlflowObject },
  table: { actions: ['GetItem', 'UpdateItem'] },
});
