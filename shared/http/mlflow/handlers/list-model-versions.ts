import type { RequestScope } from '../../../use-cases/deps.ts';
import { registryRecordDeps } from '../../../runtime.ts';
import { latestVersionsByStage } from '../../../use-cases/model-registry.ts';
import { createMlflowHandler } from '../handler.ts';
import { mlflowGetLatestVersionsRoute } from '../../routes/mlflow-get-latest-versions.ts';
import { mlflowGetLatestVersionsGetRoute } from '../../routes/mlflow-get-latest-versions-get.ts';
import { mlflowModelVersion } from '../registry-views.ts';

/**
 * MLflow's latest version per stage: for each stage asked (every stage when none
 * is), the highest-numbered version in it. A version is in stage None until an
 * MLflow client moves it (transition-stage); what `models:/<name>/Production` loads.
 */
const latestAnswer = async (scope: RequestScope, request: { name: string; stages?: readonly string[] | undefined }) => {
  const { latest } = await latestVersionsByStage(scope, request.name, request.stages, registryRecordDeps());
  return { body: { model_versions: latest.map(mlflowModelVersion) } };
};

export const mlflowGetLatestVersions = createMlflowHandler(mlflowGetLatestVersionsRoute, ({ body }, { scope }) =>
  latestAnswer(scope, body),
);

export const mlflowGetLatestVersionsGet = createMlflowHandler(mlflowGetLatestVersionsGetRoute, ({ query }, { scope }) =>
  latestAnswer(scope, query),
);
