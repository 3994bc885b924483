import { mlflowGetForm } from '../mlflow/get-form.ts';
import { getLatestVersionsQuery } from '../mlflow/registry-schemas.ts';
import { mlflowGetLatestVersionsRoute } from './mlflow-get-latest-versions.ts';

export const mlflowGetLatestVersionsGetRoute = mlflowGetForm(mlflowGetLatestVersionsRoute, {
  operationId: 'mlflowGetLatestVersionsGet',
  query: getLatestVersionsQuery,
});
