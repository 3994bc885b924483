import { serveRoutes } from '../shared/http/handler.ts';
import { mlflowGetLoggedModel, mlflowSearchLoggedModels } from '../shared/http/mlflow/handlers/get-logged-model.ts';
import { sealPageTokensWithDeploymentSecret } from '../shared/runtime-page-tokens.ts';

sealPageTokensWithDeploymentSecret();

/** Reading MLflow 3's logged models: by id, and by name within experiments (how `runs:/<id>/model` resolves). */
export const handler = serveRoutes(mlflowGetLoggedModel, mlflowSearchLoggedModels);
