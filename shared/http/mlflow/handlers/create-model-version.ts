import { ValidationError } from '../../../errors.ts';
import { registryDeps } from '../../../runtime.ts';
import type { RequestScope } from '../../../use-cases/deps.ts';
import { isPromptTagged } from '../../../domain/prompts.ts';
import {
  getModelVersion,
  loggedModelSource,
  registerModelVersion,
  registerPromptVersion,
} from '../../../use-cases/model-registry.ts';
import { createMlflowHandler } from '../handler.ts';
import { mlflowCreateModelVersionRoute } from '../../routes/mlflow-create-model-version.ts';
import { tagMap } from '../inputs.ts';
import { parseVersionSource, type VersionSourceRef } from '../registry-sources.ts';
import { mlflowModelVersion } from '../registry-views.ts';

/**
 * `mlflow.register_model` and `MlflowClient.create_model_version`: the source
 * becomes a run and an artifact path, and the version is registered like any
 * other (checksums recorded, artifacts held). It is READY when this answers, so
 * the client's wait for registration ends at its first look. A version tagged
 * `mlflow.prompt.is_prompt` is a prompt's, and its source MLflow's placeholder.
 */
export const mlflowCreateModelVersion = createMlflowHandler(
  mlflowCreateModelVersionRoute,
  async ({ body }, { scope, principal }) => {
    const tags = tagMap(body.tags);
    const deps = registryDeps();
    // MLflow's prompt registry keeps a prompt's versions as model versions of tags alone (see registerPromptVersion).
    if (isPromptTagged(tags)) {
      const version = await registerPromptVersion(
        scope,
        principal,
        body.name,
        { placeholder: body.source, description: body.description, tags },
        deps,
      );
      return { body: { model_version: mlflowModelVersion(version) } };
    }
    const source = parseVersionSource(body.source);
    const { runId, artifactPath } = await runArtifactsOf(scope, source, deps);
    if (body.run_id !== undefined && body.run_id !== runId) {
      throw new ValidationError(
        `run_id: '${body.run_id}' is not the run the source's files belong to ('${runId}')`,
        'run_id.invalid',
      );
    }
    const version = await registerModelVersion(
      scope,
      principal,
      body.name,
      { runId, artifactPath, description: body.description, tags },
      deps,
    );
    return { body: { model_version: mlflowModelVersion(version) } };
  },
);

/** The run and artifact path a source names; a copied version (`models:/<name>/<n>`) holds the same files. */
async function runArtifactsOf(
  scope: RequestScope,
  source: VersionSourceRef,
  deps: ReturnType<typeof registryDeps>,
): Promise<{ runId: string; artifactPath: string }> {
  switch (source.kind) {
    case 'logged_model':
      return loggedModelSource(scope, source.modelId, deps);
    case 'registered_version': {
      const copied = await getModelVersion(scope, source.name, source.version, deps);
      if (copied.source.kind === 'prompt') {
        throw new ValidationError(
          `source: 'models:/${source.name}/${source.version}' is a prompt's version, which has no files to register`,
          'source.invalid',
        );
      }
      return { runId: copied.source.runId, artifactPath: copied.source.path };
    }
    case 'run_artifacts':
      return { runId: source.runId, artifactPath: source.path };
  }
}
