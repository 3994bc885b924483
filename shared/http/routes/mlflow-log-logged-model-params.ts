import { defineRoute } from '../route-definition.ts';
import { logLoggedModelParamsBody, loggedModelIdPath } from '../mlflow/logged-model-schemas.ts';
import { mlflowObject } from '../mlflow/fields.ts';

export const mlflowLogLoggedModelParamsRoute = defineRoute({
  operationId: 'mlflowLogLoggedModelParams',
  dialect: 'mlflow',
  method: 'POST',
  path: '/api/2.0/mlflow/logged-models/{model_id}/params',
  entry: 'lambdas/update-logged-model.ts',
  summary: 'Log params of a logged model (MLflow)',
  access: 'write',
  tag: 'mlflow',
  request: { path: loggedModelIdPath, body: logLoggedModelParamsBody },
  response: { status: 200, description: "MLflow's answer: {}", body: mlflowObject },
  table: { actions: ['GetItem', 'UpdateItem', 'DeleteItem'] },
});
