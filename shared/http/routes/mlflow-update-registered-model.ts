import { defineRoute } from '../route-definition.ts';
import { mlflowRegistryObject, updateRegisteredModelBody } from '../mlflow/registry-schemas.ts';

export const mlflowUpdateRegisteredModelRoute = defineRoute({
  operationId: 'mlflowUpdateRegisteredModel',
  dialect: 'mlflow',
  method: 'PATCH',
  path: '/api/2.0/mlflow/registered-models/update',
  entry: 'lambdas/update-registered-model.ts',
  summary: "Change a registered model's description (MLflow)",
  access: 'write',
  tag: 'mlflow',
  request: { body: updateRegisteredModelBody },
  response: { status: 200, description: 'MLflow\'s answer: {"registered_model"}', body: mlflowRegistryObject },
  // Query + BatchGetItem: the latest version in each stage, for latest_versions.
  table: { actions: ['GetItem', 'UpdateItem', 'PutItem', 'DeleteItem', 'Query', 'BatchGetItem'] },
});
