import { loggedModelDeps } from '../../../runtime.ts';
import { datasetInputOf } from '../../dataset-view.ts';
import { recordRunIo } from '../../../use-cases/logged-models.ts';
import { createMlflowHandler } from '../handler.ts';
import { requestRunId, tagMap } from '../inputs.ts';
import { mlflowLogInputsRoute } from '../../routes/mlflow-log-inputs.ts';
import { mlflowLogOutputsRoute } from '../../routes/mlflow-log-outputs.ts';

export const mlflowLogInputs = createMlflowHandler(mlflowLogInputsRoute, async ({ body }, { scope }) => {
  const datasets = (body.datasets ?? []).map(({ dataset, tags }) => datasetInputOf(dataset, tagMap(tags)));
  // As MLflow's server, a used model is recorded by its id alone, without looking it up.
  const modelInputs = (body.models ?? []).map((model) => model.model_id);
  await recordRunIo(scope, requestRunId(body), { datasets, modelInputs }, loggedModelDeps());
  return { body: {} };
});

export const mlflowLogOutputs = createMlflowHandler(mlflowLogOutputsRoute, async ({ body }, { scope }) => {
  const outputs = body.models.map((model) => ({ modelId: model.model_id, step: model.step ?? 0 }));
  await recordRunIo(scope, requestRunId(body), { outputs }, loggedModelDeps());
  return { body: {} };
});
