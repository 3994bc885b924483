import { registryRecordDeps } from '../../../runtime.ts';
import { transitionModelVersionStage, updateModelVersion } from '../../../use-cases/model-registry.ts';
import { createMlflowHandler } from '../handler.ts';
import { onMlflowVersion } from '../registry-refs.ts';
import { mlflowDeleteModelVersionTagRoute } from '../../routes/mlflow-delete-model-version-tag.ts';
import { mlflowSetModelVersionTagRoute } from '../../routes/mlflow-set-model-version-tag.ts';
import { mlflowTransitionModelVersionStageRoute } from '../../routes/mlflow-transition-model-version-stage.ts';
import { mlflowUpdateModelVersionRoute } from '../../routes/mlflow-update-model-version.ts';
import { mlflowModelVersion } from '../registry-views.ts';

export const mlflowUpdateModelVersion = createMlflowHandler(
  mlflowUpdateModelVersionRoute,
  async ({ body }, { scope }) => {
    // MLflow's update carries only the description; leaving it out clears it, as in MLflow.
    const version = await onMlflowVersion(body.name, body.version, (number) =>
      updateModelVersion(scope, body.name, number, { description: body.description }, registryRecordDeps()),
    );
    return { body: { model_version: mlflowModelVersion(version) } };
  },
);

export const mlflowSetModelVersionTag = createMlflowHandler(
  mlflowSetModelVersionTagRoute,
  async ({ body }, { scope }) => {
    await onMlflowVersion(body.name, body.version, (version) =>
      updateModelVersion(scope, body.name, version, { tags: new Map([[body.key, body.value]]) }, registryRecordDeps()),
    );
    return { body: {} };
  },
);

export const mlflowDeleteModelVersionTag = createMlflowHandler(
  mlflowDeleteModelVersionTagRoute,
  async ({ body }, { scope }) => {
    await onMlflowVersion(body.name, body.version, (version) =>
      updateModelVersion(scope, body.name, version, { tags: new Map([[body.key, undefined]]) }, registryRecordDeps()),
    );
    return { body: {} };
  },
);

/**
 * MLflow's transition-stage (deprecated there since 2.9, still sent by
 * `MlflowClient.transition_model_version_stage`): the version's stage moves, and
 * with `archive_existing_versions` the others in Staging/Production go to Archived.
 */
export const mlflowTransitionModelVersionStage = createMlflowHandler(
  mlflowTransitionModelVersionStageRoute,
  async ({ body }, { scope }) => {
    const version = await onMlflowVersion(body.name, body.version, (number) =>
      transitionModelVersionStage(
        scope,
        body.name,
        number,
        { stage: body.stage, archiveExisting: body.archive_existing_versions ?? false },
        registryRecordDeps(),
      ),
    );
    return { body: { model_version: mlflowModelVersion(version) } };
  },
);
