import { registryRecordDeps } from '../../../runtime.ts';
import { modelStages } from '../../../domain/registry.ts';
import { latestVersionsOf, updateRegisteredModel } from '../../../use-cases/model-registry.ts';
import { createMlflowHandler } from '../handler.ts';
import { mlflowDeleteRegisteredModelTagRoute } from '../../routes/mlflow-delete-registered-model-tag.ts';
import { mlflowRenameRegisteredModelRoute } from '../../routes/mlflow-rename-registered-model.ts';
import { mlflowSetRegisteredModelTagRoute } from '../../routes/mlflow-set-registered-model-tag.ts';
import { mlflowUpdateRegisteredModelRoute } from '../../routes/mlflow-update-registered-model.ts';
import { mlflowRegisteredModel } from '../registry-views.ts';

// Rename and update answer with latest_versions, as MLflow's server does (its store returns the whole model).
export const mlflowRenameRegisteredModel = createMlflowHandler(
  mlflowRenameRegisteredModelRoute,
  async ({ body }, { scope }) => {
    const deps = registryRecordDeps();
    const model = await updateRegisteredModel(scope, body.name, { newName: body.new_name }, deps);
    const latest = await latestVersionsOf(scope, model, new Set(modelStages), deps);
    return { body: { registered_model: mlflowRegisteredModel(model, latest) } };
  },
);

export const mlflowUpdateRegisteredModel = createMlflowHandler(
  mlflowUpdateRegisteredModelRoute,
  async ({ body }, { scope }) => {
    // MLflow's update carries only the description; leaving it out clears it, as in MLflow.
    const deps = registryRecordDeps();
    const model = await updateRegisteredModel(scope, body.name, { description: body.description }, deps);
    const latest = await latestVersionsOf(scope, model, new Set(modelStages), deps);
    return { body: { registered_model: mlflowRegisteredModel(model, latest) } };
  },
);

export const mlflowSetRegisteredModelTag = createMlflowHandler(
  mlflowSetRegisteredModelTagRoute,
  async ({ body }, { scope }) => {
    await updateRegisteredModel(scope, body.name, { tags: new Map([[body.key, body.value]]) }, registryRecordDeps());
    return { body: {} };
  },
);

export const mlflowDeleteRegisteredModelTag = createMlflowHandler(
  mlflowDeleteRegisteredModelTagRoute,
  async ({ body }, { scope }) => {
    await updateRegisteredModel(scope, body.name, { tags: new Map([[body.key, undefined]]) }, registryRecordDeps());
    return { body: {} };
  },
);
