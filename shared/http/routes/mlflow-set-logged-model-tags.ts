import { defineRoute } from '../route-definition.ts';
import { loggedModelIdPath, setLoggedModelTagsBody } from '../mlflow/logged-model-schemas.ts';
import { mlflowObject } from '../mlflow/fields.ts';

export const mlflowSetLoggedModelTagsRoute = defineRoute({
  operationId: 'mlflowSetLoggedModelTags',
  dialect: 'mlflow',
  method: 'PATCH',
  path: '/api/2.0/mlflow/logged-models/{model_id}/tags',
  entry: 'lambdas/update-logged-model.ts',
  summary: 'Set tags on a logged model (MLflow)',
  access: 'write',
  tag: 'mlflow',
  request: { path: loggedModelIdPath, body: setLoggedModelTagsBody },
  response: { status: 200, description: "MLflow's answer: {}", body: mlflowObject },
  table: { actions: ['GetItem', 'UpdateItem', 'DeleteItem'] },
});
