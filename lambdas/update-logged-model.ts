import { serveRoutes } from '../shared/http/handler.ts';
import {
  mlflowDeleteLoggedModel,
  mlflowDeleteLoggedModelTag,
  mlflowFinalizeLoggedModel,
  mlflowLogLoggedModelParams,
  mlflowSetLoggedModelTags,
} from '../shared/http/mlflow/handlers/update-logged-model.ts';

/** Changing MLflow 3's logged models: status, tags, params, deletion. */
export const handler = serveRoutes(
  mlflowFinalizeLoggedModel,
  mlflowSetLoggedModelTags,
  mlflowDeleteLoggedModelTag,
  mlflowLogLoggedModelParams,
  mlflowDeleteLoggedModel,
);
