import { registryRecordDeps } from '../../../runtime.ts';
import { getLatestModelVersion } from '../../../use-cases/model-registry.ts';
import { createHandler } from '../../handler.ts';
import { mlflowGetRegisteredModelRoute } from '../../routes/mlflow-get-registered-model.ts';
import { mlflowRegisteredModel } from '../registry-views.ts';

export const mlflowGetRegisteredModel = createHandler(mlflowGetRegisteredModelRoute, async ({ query }, { scope }) => {
  const { model, latest } = await getLatestModelVersion(scope, query.name, registryRecordDeps());
  return { body: { registered_model: mlflowRegisteredModel(model, latest) } };
});
