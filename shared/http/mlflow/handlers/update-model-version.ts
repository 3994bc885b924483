import { registryRecordDeps } from '../../../runtime.ts';
import { updateModelVersion } from '../../../use-cases/model-registry.ts';
import { createHandler } from '../../handler.ts';
import { mlflowDeleteModelVersionTagRoute } from '../../routes/mlflow-delete-model-version-tag.ts';
import { mlflowSetModelVersionTagRoute } from '../../routes/mlflow-set-model-version-tag.ts';
import { mlflowUpdateModelVersionRoute } from '../../routes/mlflow-update-model-version.ts';
import { mlflowModelVersion } from '../registry-views.ts';

export const mlflowUpdateModelVersion = createHandler(mlflowUpdateModelVersionRoute, async ({ body }, { scope }) => {
  // MLflow's update carries only the description; leaving it out clears it, as in MLflow.
  const version = await updateModelVersion(
    scope,
    body.name,
    body.version,
    { description: body.description },
    registryRecordDeps(),
  );
  return { body: { model_version: mlflowModelVersion(version) } };
});

export const mlflowSetModelVersionTag = createHandler(mlflowSetModelVersionTagRoute, async ({ body }, { scope }) => {
  await updateModelVersion(
    scope,
    body.name,
    body.version,
    { tags: new Map([[body.key, body.value]]) },
    registryRecordDeps(),
  );
  return { body: {} };
});

export const mlflowDeleteModelVersionTag = createHandler(
  mlflowDeleteModelVersionTagRoute,
  async ({ body }, { scope }) => {
    await updateModelVersion(
      scope,
      body.name,
      body.version,
      { tags: new Map([[body.key, undefined]]) },
      registryRecordDeps(),
    );
    return { body: {} };
  },
);
