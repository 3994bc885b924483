import { createHandler, serveRoutes } from '../shared/http/handler.ts';
import { mlflowCreateModelVersion } from '../shared/http/mlflow/handlers/create-model-version.ts';
import { modelVersionView } from '../shared/http/registry-views.ts';
import { createModelVersionRoute } from '../shared/http/routes/create-model-version.ts';
import { registryDeps } from '../shared/runtime.ts';
import { registerModelVersion } from '../shared/use-cases/model-registry.ts';

const deps = registryDeps();

export const handler = serveRoutes(
  createHandler(createModelVersionRoute, async ({ path, body }, { scope, principal }) => {
    const version = await registerModelVersion(
      scope,
      principal,
      path.model_name,
      {
        runId: body.run_id,
        artifactPath: body.artifact_path,
        description: body.description,
        tags: body.tags,
        metadata: body.metadata,
      },
      deps,
    );
    return { body: modelVersionView(version) };
  }),
  mlflowCreateModelVersion,
);
