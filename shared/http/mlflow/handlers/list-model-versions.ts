import { registryRecordDeps } from '../../../runtime.ts';
import { getLatestModelVersion } from '../../../use-cases/model-registry.ts';
import { createHandler } from '../../handler.ts';
import { mlflowGetLatestVersionsRoute } from '../../routes/mlflow-get-latest-versions.ts';
import { mlflowModelVersion } from '../registry-views.ts';

/**
 * MLflow's latest version per stage. Stages gave way to aliases: every version
 * is in stage "None", so the answer is the newest version, when "None" is asked
 * for or no stage is named.
 */
export const mlflowGetLatestVersions = createHandler(mlflowGetLatestVersionsRoute, async ({ body }, { scope }) => {
  const { latest } = await getLatestModelVersion(scope, body.name, registryRecordDeps());
  const noneAsked = !body.stages?.length || body.stages.some((stage) => stage.toLowerCase() === 'none');
  return { body: { model_versions: latest && noneAsked ? [mlflowModelVersion(latest)] : [] } };
});
