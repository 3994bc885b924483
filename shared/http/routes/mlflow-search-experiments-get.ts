import { mlflowGetForm } from '../mlflow/get-form.ts';
import { searchExperimentsQuery } from '../mlflow/experiment-schemas.ts';
import { mlflowSearchExperimentsRoute } from './mlflow-search-experiments.ts';

export const mlflowSearchExperimentsGetRoute = mlflowGetForm(mlflowSearchExperimentsRoute, {
  operationId: 'mlflowSearchExperimentsGet',
  query: searchExperimentsQuery,
});
