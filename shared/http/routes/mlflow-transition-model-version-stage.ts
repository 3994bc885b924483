import { defineRoute } from '../route-definition.ts';
import { mlflowRegistryObject, transitionStageBody } from '../mlflow/registry-schemas.ts';

export const mlflowTransitionModelVersionStageRoute = defineRoute({
  operationId: 'mlflowTransitionModelVersionStage',
  dialect: 'mlflow',
  method: 'POST',
  path: '/api/2.0/mlflow/model-versions/transition-stage',
  entry: 'lambdas/update-model-version.ts',
  summary:
    "Move a model version to a stage (None, Staging, Production, Archived), optionally archiving the others in it; stages are MLflow's older alternative to aliases (MLflow)",
  access: 'write',
  tag: 'mlflow',
  request: { body: transitionStageBody },
  response: { status: 200, description: 'MLflow\'s answer: {"model_version"}', body: mlflowRegistryObject },
  // Query: the model's versions in the stage, to archive; the moves are one transaction of UpdateItems.
  table: { actions: ['GetItem', 'Query', 'UpdateItem'] },
});
