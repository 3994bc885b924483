import type * as z from 'zod/mini';
import type { AliasEvent, ModelVersion, ModelVersionSource, RegisteredModel } from '../domain/registry.ts';
import type { VersionDownload } from '../use-cases/model-registry.ts';
import type {
  aliasEventResponse,
  modelVersionResponse,
  registeredModelResponse,
  versionDownloadResponse,
} from './schemas/registry.ts';

/** Registry objects in the API's snake_case JSON shape. Object keys are never built from user strings. */

/** `newestVersion`: the highest version the model has now (0: none), from `newestVersions`. */
export const registeredModelView = (
  model: RegisteredModel,
  newestVersion: number,
): z.input<typeof registeredModelResponse> => ({
  name: model.name,
  description: model.description,
  tags: model.tags,
  aliases: [...model.aliases].map(([alias, version]) => ({ alias, version })),
  latest_version: newestVersion,
  created_at: model.createdAt,
  updated_at: model.updatedAt,
});

export const modelVersionView = (version: ModelVersion): z.input<typeof modelVersionResponse> => ({
  name: version.modelName,
  version: version.version,
  // A version exists only once registered in full: there is no pending or failed state to report.
  status: 'READY',
  source: sourceView(version.source),
  description: version.description,
  tags: version.tags,
  metadata: version.metadata,
  files: version.files.map((file) => ({
    path: file.path,
    artifact_path: file.artifactPath,
    size_bytes: file.sizeBytes,
    sha256: file.sha256,
    sha256_source: file.sha256Source,
  })),
  size_bytes: version.files.reduce((sum, file) => sum + file.sizeBytes, 0),
  aliases: [...version.aliases],
  created_at: version.createdAt,
  updated_at: version.updatedAt,
  created_by: { token_id: version.createdBy.tokenId },
});

const sourceView = (source: ModelVersionSource): z.input<typeof modelVersionResponse>['source'] =>
  source.kind === 'prompt'
    ? { kind: 'prompt' }
    : { kind: source.kind, run_id: source.runId, experiment_id: source.experimentId, artifact_path: source.path };

export const aliasEventView = (event: AliasEvent): z.input<typeof aliasEventResponse> => ({
  alias: event.alias,
  change: event.change,
  from_version: event.fromVersion,
  to_version: event.toVersion,
  at: event.at,
  by: { token_id: event.by.tokenId },
});

export const versionDownloadView = (download: VersionDownload): z.input<typeof versionDownloadResponse> => ({
  name: download.version.modelName,
  version: download.version.version,
  expires_at: download.expiresAt,
  files: download.files.map((file) => ({
    path: file.path,
    url: file.url,
    size_bytes: file.sizeBytes,
    sha256: file.sha256,
  })),
});
