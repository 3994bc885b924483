import { defineRoute } from '../route-definition.ts';
import { mlflowRegistryObject, modelVersionQuery } from '../mlflow/registry-schemas.ts';

export const mlflowGetModelVersionRoute = defineRoute({
  operationId: 'mlflowGetModelVersion',
  dialect: 'mlflow',
  method: 'GET',
  path: '/api/2.0/mlflow/model-versions/get',
  entry: 'lambdas/get-model-version.ts',
  summary: 'Get a model version (MLflow)',
  access: 'read',
  tag: 'mlflow',
  request: { query: modelVersionQuery },
  response: { status: 200, description: 'MLflow\'s answer: {"model_version"}', body: mlflowRegistryObject },
  table: { actions: ['GetItem'] },
});
