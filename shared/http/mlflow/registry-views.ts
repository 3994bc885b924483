import { loggedModelArtifactPrefix } from '../../domain/logged-models.ts';
import {
  type ModelVersion,
  type ModelVersionSource,
  type RegisteredModel,
  type RunArtifactSource,
  sourceRunOf,
} from '../../domain/registry.ts';
import type { Tags } from '../../domain/types.ts';

/**
 * Registry objects in MLflow's shapes (mlflow/protos/model_registry.proto):
 * versions as strings, tags as key/value lists, the stage a version was last
 * moved to (None unless transition-stage moved it), and sources as URIs the
 * stock client can read: a run's `mlflow-artifacts:` URI, or `models:/<id>` for
 * a logged model's folder.
 */

const keyValues = (entries: Tags) => Object.entries(entries).map(([key, value]) => ({ key, value }));

/** The logged model whose folder (`models/<id>`) a version was registered from, if it was. */
export function loggedModelIdOf(source: ModelVersionSource): string | undefined {
  if (source.kind !== 'folder') return undefined;
  const match = /^models\/([^/]+)$/.exec(source.path);
  return match?.[1] && source.path === loggedModelArtifactPrefix(match[1]) ? match[1] : undefined;
}

/** Where the client downloads a version's files from: the run's artifacts, through the MLflow artifact routes. */
export const versionArtifactUri = (source: RunArtifactSource) =>
  `mlflow-artifacts:/${source.experimentId}/${source.runId}/artifacts/${source.path}`;

/** A version's `source` as MLflow answers it (and its filters' `source_path` compares); a prompt's as it was sent. */
export function mlflowVersionSource(version: ModelVersion): string {
  const { source } = version;
  if (source.kind === 'prompt') return source.placeholder;
  const modelId = loggedModelIdOf(source);
  return modelId ? `models:/${modelId}` : versionArtifactUri(source);
}

export const mlflowModelVersion = (version: ModelVersion) => {
  const modelId = loggedModelIdOf(version.source);
  return {
    name: version.modelName,
    version: String(version.version),
    creation_timestamp: version.createdAt,
    last_updated_timestamp: version.updatedAt,
    user_id: version.createdBy.tokenId,
    current_stage: version.stage,
    // MLflow's server answers a version without a description as "" (its client reads "", not None),
    // where it leaves a registered model's out.
    description: version.description ?? '',
    source: mlflowVersionSource(version),
    // MLflow's server leaves a prompt version's run out: its client reads that as "".
    run_id: sourceRunOf(version.source)?.runId ?? '',
    // A version exists only once registered in full.
    status: 'READY',
    tags: keyValues(version.tags),
    aliases: [...version.aliases],
    ...(modelId ? { model_id: modelId } : {}),
  };
};

export const mlflowRegisteredModel = (model: RegisteredModel, latest: readonly ModelVersion[] = []) => ({
  name: model.name,
  creation_timestamp: model.createdAt,
  last_updated_timestamp: model.updatedAt,
  ...(model.description === undefined ? {} : { description: model.description }),
  tags: keyValues(model.tags),
  aliases: [...model.aliases].map(([alias, version]) => ({ alias, version: String(version) })),
  ...(latest.length > 0 ? { latest_versions: latest.map(mlflowModelVersion) } : {}),
});
