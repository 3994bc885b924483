import { registryRecordDeps } from '../../../runtime.ts';
import { latestVersionsByStage } from '../../../use-cases/model-registry.ts';
import { createMlflowHandler } from '../handler.ts';
import { mlflowGetRegisteredModelRoute } from '../../routes/mlflow-get-registered-model.ts';
import { mlflowRegisteredModel } from '../registry-views.ts';

/** A registered model with MLflow's `latest_versions`: the newest version in each stage. */
export const mlflowGetRegisteredModel = createMlflowHandler(
  mlflowGetRegisteredModelRoute,
  async ({ query }, { scope }) => {
    const { model, latest } = await latestVersionsByStage(scope, query.name, undefined, registryRecordDeps());
    return { body: { registered_model: mlflowRegisteredModel(model, latest) } };
  },
);
