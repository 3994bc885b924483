import { defineRoute } from '../route-definition.ts';
import { loggedModelIdPath } from '../mlflow/logged-model-schemas.ts';
import { mlflowObject } from '../mlflow/fields.ts';

export const mlflowGetLoggedModelRoute = defineRoute({
  operationId: 'mlflowGetLoggedModel',
  dialect: 'mlflow',
  method: 'GET',
  path: '/api/2.0/mlflow/logged-models/{model_id}',
  entry: 'lambdas/get-logged-model.ts',
  summary: 'Get a logged model (MLflow)',
  access: 'read',
  tag: 'mlflow',
  request: { path: loggedModelIdPath },
  response: { status: 200, description: 'MLflow\'s answer: {"model"}', body: mlflowObject },
  table: { actions: ['GetItem', 'Query', 'PutItem'], indexes: ['gsi1'] },
});
