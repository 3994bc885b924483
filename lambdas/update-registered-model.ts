import { createHandler, serveRoutes } from '../shared/http/handler.ts';
import {
  mlflowRenameRegisteredModel,
  mlflowUpdateRegisteredModel,
  mlflowSetRegisteredModelTag,
  mlflowDeleteRegisteredModelTag,
} from '../shared/http/mlflow/handlers/update-registered-model.ts';
import { registeredModelView } from '../shared/http/registry-views.ts';
import { tagChanges } from '../shared/http/registry-inputs.ts';
import { updateRegisteredModelRoute } from '../shared/http/routes/update-registered-model.ts';
import { registryRecordDeps } from '../shared/runtime.ts';
import { type UpdateModelInput, newestVersions, updateRegisteredModel } from '../shared/use-cases/model-registry.ts';

const deps = registryRecordDeps();

export const handler = serveRoutes(
  createHandler(updateRegisteredModelRoute, async ({ path, body }, { scope }) => {
    const input: UpdateModelInput = { newName: body.new_name, tags: tagChanges(body.tags) };
    // null clears the description; leaving the field out keeps it.
    if (body.description !== undefined) input.description = body.description ?? undefined;
    const model = await updateRegisteredModel(scope, path.model_name, input, deps);
    const newest = await newestVersions(scope, [model], deps);
    return { body: registeredModelView(model, newest.get(model.modelId) ?? 0) };
  }),
  mlflowRenameRegisteredModel,
  mlflowUpdateRegisteredModel,
  mlflowSetRegisteredModelTag,
  mlflowDeleteRegisteredModelTag,
);
