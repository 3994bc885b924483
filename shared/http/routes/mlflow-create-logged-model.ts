import { defineRoute } from '../route-definition.ts';
import { createLoggedModelBody, mlflowObject } from '../mlflow/schemas.ts';

export const mlflowCreateLoggedModelRoute = defineRoute({
  operationId: 'mlflowCreateLoggedModel',
  dialect: 'mlflow',
  method: 'POST',
  path: '/api/2.0/mlflow/logged-models',
  entry: 'lambdas/create-logged-model.ts',
  summary: "Create a logged model of a run; its files go to the run's artifacts (MLflow)",
  access: 'write',
  tag: 'mlflow',
  request: { body: createLoggedModelBody },
  response: { status: 200, description: 'MLflow\'s answer: {"model"}', body: mlflowObject },
  table: { actions: ['GetItem', 'PutItem'] },
});
