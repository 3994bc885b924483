import { defineRoute } from '../route-definition.ts';
import { mlflowRegistryObject, renameRegisteredModelBody } from '../mlflow/registry-schemas.ts';

export const mlflowRenameRegisteredModelRoute = defineRoute({
  operationId: 'mlflowRenameRegisteredModel',
  dialect: 'mlflow',
  method: 'POST',
  path: '/api/2.0/mlflow/registered-models/rename',
  entry: 'lambdas/update-registered-model.ts',
  summary: 'Rename a registered model; its versions, aliases and history follow (MLflow)',
  access: 'write',
  tag: 'mlflow',
  request: { body: renameRegisteredModelBody },
  response: { status: 200, description: 'MLflow\'s answer: {"registered_model"}', body: mlflowRegistryObject },
  // Query + BatchGetItem: the latest version in each stage, for latest_versions.
  table: { actions: ['GetItem', 'UpdateItem', 'PutItem', 'DeleteItem', 'Query', 'BatchGetItem'] },
});
