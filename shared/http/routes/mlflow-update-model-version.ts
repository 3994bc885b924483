import { defineRoute } from '../route-definition.ts';
import { mlflowRegistryObject, updateModelVersionBody } from '../mlflow/registry-schemas.ts';

export const mlflowUpdateModelVersionRoute = defineRoute({
  operationId: 'mlflowUpdateModelVersion',
  dialect: 'mlflow',
  method: 'PATCH',
  path: '/api/2.0/mlflow/model-versions/update',
  entry: 'lambdas/update-model-version.ts',
  summary: "Change a model version's description; its files never change (MLflow)",
  access: 'write',
  tag: 'mlflow',
  request: { body: updateModelVersionBody },
  response: { status: 200, description: 'MLflow\'s answer: {"model_version"}', body: mlflowRegistryObject },
  table: { actions: ['GetItem', 'UpdateItem'] },
});
