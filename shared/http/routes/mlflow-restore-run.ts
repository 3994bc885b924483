import { defineRoute } from '../route-definition.ts';
import { mlflowObject } from '../mlflow/fields.ts';
import { runIdBody } from '../mlflow/run-schemas.ts';

export const mlflowRestoreRunRoute = defineRoute({
  operationId: 'mlflowRestoreRun',
  dialect: 'mlflow',
  method: 'POST',
  path: '/api/2.0/mlflow/runs/restore',
  entry: 'lambdas/restore-run.ts',
  summary: 'Restore a deleted run (MLflow); 400 while its experiment is deleted',
  access: 'write',
  tag: 'mlflow',
  request: { body: runIdBody },
  response: { status: 200, description: "MLflow's answer: {}", body: mlflowObject },
  table: { actions: ['GetItem', 'UpdateItem'] },
});
