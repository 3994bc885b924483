import { defineRoute } from '../route-definition.ts';
import { mlflowObject } from '../mlflow/fields.ts';
import { updateRunBody } from '../mlflow/run-schemas.ts';

export const mlflowUpdateRunRoute = defineRoute({
  operationId: 'mlflowUpdateRun',
  dialect: 'mlflow',
  method: 'POST',
  path: '/api/2.0/mlflow/runs/update',
  entry: 'lambdas/update-run.ts',
  summary: "Change a run's status, end time or name; RUNNING reopens an ended run (MLflow)",
  access: 'write',
  tag: 'mlflow',
  request: { body: updateRunBody },
  response: { status: 200, description: 'MLflow\'s answer: {"run_info"}', body: mlflowObject },
  // Ending a run seals its metrics' rollups (run values and pages, raw points, rollup items).
  table: { actions: ['GetItem', 'BatchGetItem', 'Query', 'PutItem', 'UpdateItem'] },
});
