import { createHandler, serveRoutes } from '../shared/http/handler.ts';
import {
  mlflowUpdateModelVersion,
  mlflowSetModelVersionTag,
  mlflowDeleteModelVersionTag,
  mlflowTransitionModelVersionStage,
} from '../shared/http/mlflow/handlers/update-model-version.ts';
import { modelVersionView } from '../shared/http/registry-views.ts';
import { tagChanges } from '../shared/http/registry-inputs.ts';
import { updateModelVersionRoute } from '../shared/http/routes/update-model-version.ts';
import { registryRecordDeps } from '../shared/runtime.ts';
import { updateModelVersion } from '../shared/use-cases/model-registry.ts';

const deps = registryRecordDeps();

export const handler = serveRoutes(
  createHandler(updateModelVersionRoute, async ({ path, body }, { scope }) => {
    const input: Parameters<typeof updateModelVersion>[3] = { tags: tagChanges(body.tags) };
    // null clears the description; leaving the field out keeps it.
    if (body.description !== undefined) input.description = body.description ?? undefined;
    const version = await updateModelVersion(scope, path.model_name, path.version, input, deps);
    return { body: modelVersionView(version) };
  }),
  mlflowUpdateModelVersion,
  mlflowSetModelVersionTag,
  mlflowDeleteModelVersionTag,
  mlflowTransitionModelVersionStage,
);
