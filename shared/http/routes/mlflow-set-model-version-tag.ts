import { defineRoute } from '../route-definition.ts';
import { mlflowRegistryObject, setModelVersionTagBody } from '../mlflow/registry-schemas.ts';

export const mlflowSetModelVersionTagRoute = defineRoute({
  operationId: 'mlflowSetModelVersionTag',
  dialect: 'mlflow',
  method: 'POST',
  path: '/api/2.0/mlflow/model-versions/set-tag',
  entry: 'lambdas/update-model-version.ts',
  summary: 'Set a tag on a model version (MLflow)',
  access: 'write',
  tag: 'mlflow',
  request: { body: setModelVersionTagBody },
  response: { status: 200, description: "MLflow's answer: {}", body: mlflowRegistryObject },
  table: { actions: ['GetItem', 'UpdateItem'] },
});
