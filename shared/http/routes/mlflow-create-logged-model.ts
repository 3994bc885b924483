import { defineRoute } from '../route-definition.ts';
import { createLoggedModelBody } from '../mlflow/logged-model-schemas.ts';
import { mlflowObject } from '../mlflow/fields.ts';

export const mlflowCreateLoggedModelRoute = defineRoute({
  operationId: 'mlflowCreateLoggedModel',
  dialect: 'mlflow',
  method: 'POST',
  path: '/api/2.0/mlflow/logged-models',
  entry: 'lambdas/create-logged-model.ts',
  summary:
    "Create a logged model of a run; its files go to the run's artifacts (without source_run_id, to a FINISHED run started to hold them) (MLflow)",
  access: 'write',
  tag: 'mlflow',
  request: { body: createLoggedModelBody },
  response: { status: 200, description: 'MLflow\'s answer: {"model"}', body: mlflowObject },
  // Starting a run to hold a model logged outside one: create-run's actions.
  table: { actions: ['GetItem', 'Query', 'PutItem', 'UpdateItem', 'BatchWriteItem'] },
});
