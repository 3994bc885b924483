import { defineRoute } from '../route-definition.ts';
import { loggedModelIdPath } from '../mlflow/logged-model-schemas.ts';
import { mlflowObject } from '../mlflow/fields.ts';

export const mlflowDeleteLoggedModelRoute = defineRoute({
  operationId: 'mlflowDeleteLoggedModel',
  dialect: 'mlflow',
  method: 'DELETE',
  path: '/api/2.0/mlflow/logged-models/{model_id}',
  entry: 'lambdas/update-logged-model.ts',
  summary:
    "Delete a logged model: kept, marked deleted, out of gets and searches; again is a 200 (its files stay the run's artifacts) (MLflow)",
  access: 'write',
  tag: 'mlflow',
  request: { path: loggedModelIdPath },
  response: { status: 200, description: "MLflow's answer: {}", body: mlflowObject },
  table: { actions: ['GetItem', 'UpdateItem'] },
});
