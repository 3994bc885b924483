import { defineRoute } from '../route-definition.ts';
import { finalizeLoggedModelBody, loggedModelIdPath } from '../mlflow/logged-model-schemas.ts';
import { mlflowObject } from '../mlflow/fields.ts';

export const mlflowFinalizeLoggedModelRoute = defineRoute({
  operationId: 'mlflowFinalizeLoggedModel',
  dialect: 'mlflow',
  method: 'PATCH',
  path: '/api/2.0/mlflow/logged-models/{model_id}',
  entry: 'lambdas/update-logged-model.ts',
  summary: "Set a logged model's status (MLflow)",
  access: 'write',
  tag: 'mlflow',
  request: { path: loggedModelIdPath, body: finalizeLoggedModelBody },
  response: { status: 200, description: 'MLflow\'s answer: {"model"}', body: mlflowObject },
  table: { actions: ['GetItem', 'UpdateItem', 'DeleteItem'] },
});
