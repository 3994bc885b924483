import { registryRecordDeps } from '../../../runtime.ts';
import { latestVersionsByStage } from '../../../use-cases/model-registry.ts';
import { createMlflowHandler } from '../handler.ts';
import { mlflowGetLatestVersionsRoute } from '../../routes/mlflow-get-latest-versions.ts';
import { mlflowModelVersion } from '../registry-views.ts';

/**
 * MLflow's latest version per stage: for each stage asked (every stage when none
 * is), the highest-numbered version in it. A version is in stage None until an
 * MLflow client moves it (transition-stage); what `models:/<name>/Production` loads.
 */
export const mlflowGetLatestVersions = createMlflowHandler(
  mlflowGetLatestVersionsRoute,
  async ({ body }, { scope }) => {
    const { latest } = await latestVersionsByStage(scope, body.name, body.stages, registryRecordDeps());
    return { body: { model_versions: latest.map(mlflowModelVersion) } };
  },
);
