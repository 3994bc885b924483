import { defineRoute } from '../route-definition.ts';
import { loggedModelTagPath } from '../mlflow/logged-model-schemas.ts';
import { mlflowObject } from '../mlflow/fields.ts';

export const mlflowDeleteLoggedModelTagRoute = defineRoute({
  operationId: 'mlflowDeleteLoggedModelTag',
  dialect: 'mlflow',
  method: 'DELETE',
  path: '/api/2.0/mlflow/logged-models/{model_id}/tags/{tag_key}',
  entry: 'lambdas/update-logged-model.ts',
  summary: 'Delete a tag of a logged model (MLflow)',
  access: 'write',
  tag: 'mlflow',
  request: { path: loggedModelTagPath },
  response: { status: 200, description: "MLflow's answer: {}", body: mlflowObject },
  table: { actions: ['GetItem', 'UpdateItem', 'DeleteItem'] },
});
