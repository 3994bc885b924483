import { registryRecordDeps } from '../../../runtime.ts';
import { updateRegisteredModel } from '../../../use-cases/model-registry.ts';
import { createHandler } from '../../handler.ts';
import { mlflowDeleteRegisteredModelTagRoute } from '../../routes/mlflow-delete-registered-model-tag.ts';
import { mlflowRenameRegisteredModelRoute } from '../../routes/mlflow-rename-registered-model.ts';
import { mlflowSetRegisteredModelTagRoute } from '../../routes/mlflow-set-registered-model-tag.ts';
import { mlflowUpdateRegisteredModelRoute } from '../../routes/mlflow-update-registered-model.ts';
import { mlflowRegisteredModel } from '../registry-views.ts';

export const mlflowRenameRegisteredModel = createHandler(
  mlflowRenameRegisteredModelRoute,
  async ({ body }, { scope }) => {
    const model = await updateRegisteredModel(scope, body.name, { newName: body.new_name }, registryRecordDeps());
    return { body: { registered_model: mlflowRegisteredModel(model) } };
  },
);

export const mlflowUpdateRegisteredModel = createHandler(
  mlflowUpdateRegisteredModelRoute,
  async ({ body }, { scope }) => {
    // MLflow's update carries only the description; leaving it out clears it, as in MLflow.
    const model = await updateRegisteredModel(
      scope,
      body.name,
      { description: body.description },
      registryRecordDeps(),
    );
    return { body: { registered_model: mlflowRegisteredModel(model) } };
  },
);

export const mlflowSetRegisteredModelTag = createHandler(
  mlflowSetRegisteredModelTagRoute,
  async ({ body }, { scope }) => {
    await updateRegisteredModel(scope, body.name, { tags: new Map([[body.key, body.value]]) }, registryRecordDeps());
    return { body: {} };
  },
);

export const mlflowDeleteRegisteredModelTag = createHandler(
  mlflowDeleteRegisteredModelTagRoute,
  async ({ body }, { scope }) => {
    await updateRegisteredModel(scope, body.name, { tags: new Map([[body.key, undefined]]) }, registryRecordDeps());
    return { body: {} };
  },
);
