import { loggedModelDeps, loggedModelParamDeps } from '../../../runtime.ts';
import { deleteLoggedModel, logLoggedModelParams, updateLoggedModel } from '../../../use-cases/logged-models.ts';
import { createMlflowHandler } from '../handler.ts';
import { batchParams, tagMap } from '../inputs.ts';
import { inMlflowParamWords } from '../param-changes.ts';
import { mlflowDeleteLoggedModelRoute } from '../../routes/mlflow-delete-logged-model.ts';
import { mlflowDeleteLoggedModelTagRoute } from '../../routes/mlflow-delete-logged-model-tag.ts';
import { mlflowFinalizeLoggedModelRoute } from '../../routes/mlflow-finalize-logged-model.ts';
import { mlflowLogLoggedModelParamsRoute } from '../../routes/mlflow-log-logged-model-params.ts';
import { mlflowSetLoggedModelTagsRoute } from '../../routes/mlflow-set-logged-model-tags.ts';
import { mlflowLoggedModel } from '../views.ts';

const statuses = {
  LOGGED_MODEL_PENDING: 'PENDING',
  LOGGED_MODEL_READY: 'READY',
  LOGGED_MODEL_UPLOAD_FAILED: 'UPLOAD_FAILED',
} as const;

export const mlflowFinalizeLoggedModel = createMlflowHandler(
  mlflowFinalizeLoggedModelRoute,
  async ({ path, body }, { scope }) => {
    const model = await updateLoggedModel(scope, path.model_id, { status: statuses[body.status] }, loggedModelDeps());
    return { body: { model: mlflowLoggedModel(model) } };
  },
);

export const mlflowSetLoggedModelTags = createMlflowHandler(
  mlflowSetLoggedModelTagsRoute,
  async ({ path, body }, { scope }) => {
    await updateLoggedModel(scope, path.model_id, { tags: tagMap(body.tags) }, loggedModelDeps());
    return { body: {} };
  },
);

export const mlflowDeleteLoggedModelTag = createMlflowHandler(
  mlflowDeleteLoggedModelTagRoute,
  async ({ path }, { scope }) => {
    await updateLoggedModel(scope, path.model_id, { removeTag: path.tag_key }, loggedModelDeps());
    return { body: {} };
  },
);

export const mlflowLogLoggedModelParams = createMlflowHandler(
  mlflowLogLoggedModelParamsRoute,
  async ({ path, body }, { scope }) => {
    // A key twice is refused as log-batch refuses it (MLflow's server fails on it too); a changed value in MLflow's words.
    const params = batchParams(body.params);
    await inMlflowParamWords('batch', () => logLoggedModelParams(scope, path.model_id, params, loggedModelParamDeps()));
    return { body: {} };
  },
);

export const mlflowDeleteLoggedModel = createMlflowHandler(
  mlflowDeleteLoggedModelRoute,
  async ({ path }, { scope }) => {
    await deleteLoggedModel(scope, path.model_id, loggedModelDeps());
    return { body: {} };
  },
);
