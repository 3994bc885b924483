import { loggedModelDeps, runCreateDeps } from '../../../runtime.ts';
import { createLoggedModel } from '../../../use-cases/logged-models.ts';
import { createMlflowHandler } from '../handler.ts';
import { checkLoggedModelName, tagMap } from '../inputs.ts';
import { mlflowCreateLoggedModelRoute } from '../../routes/mlflow-create-logged-model.ts';
import { mlflowLoggedModel } from '../views.ts';

export const mlflowCreateLoggedModel = createMlflowHandler(
  mlflowCreateLoggedModelRoute,
  async ({ body }, { scope }) => {
    const model = await createLoggedModel(
      scope,
      {
        experimentId: body.experiment_id,
        name: checkLoggedModelName(body.name),
        modelType: body.model_type,
        sourceRunId: body.source_run_id,
        params: tagMap(body.params),
        tags: tagMap(body.tags),
      },
      loggedModelDeps(),
      // A model logged outside a run gets a run of its own to hold its files.
      runCreateDeps(),
    );
    return { body: { model: mlflowLoggedModel(model) } };
  },
);
