import { mlflowCreateLoggedModel } from '../shared/http/mlflow/handlers/create-logged-model.ts';

/** MLflow 3's logged models (what `mlflow.<flavor>.log_model` creates). */
export const handler = mlflowCreateLoggedModel;
