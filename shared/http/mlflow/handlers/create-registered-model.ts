import { registryRecordDeps } from '../../../runtime.ts';
import { createRegisteredModel } from '../../../use-cases/model-registry.ts';
import { createMlflowHandler } from '../handler.ts';
import { mlflowCreateRegisteredModelRoute } from '../../routes/mlflow-create-registered-model.ts';
import { tagMap } from '../inputs.ts';
import { mlflowRegisteredModel } from '../registry-views.ts';

export const mlflowCreateRegisteredModel = createMlflowHandler(
  mlflowCreateRegisteredModelRoute,
  async ({ body }, { scope }) => {
    const model = await createRegisteredModel(
      scope,
      { name: body.name, description: body.description, tags: tagMap(body.tags) },
      registryRecordDeps(),
    );
    return { body: { registered_model: mlflowRegisteredModel(model) } };
  },
);
