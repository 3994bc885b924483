import { ValidationError } from '../errors.ts';
import type { Tags } from './types.ts';

/**
 * The model registry: registered models with numbered, immutable versions that
 * point at a run's artifacts, aliases (`@champion`) that point at versions, and
 * an append-only history of every alias move. Times are epoch milliseconds.
 */

/** Who made a change: the token the request carried. */
export interface Actor {
  tokenId: string;
}

export interface RegisteredModel {
  modelId: string;
  name: string;
  description: string | undefined;
  tags: Tags;
  /** Alias → version. A Map, because alias names are chosen by users. */
  aliases: ReadonlyMap<string, number>;
  /** The highest version number ever given out; numbers are never reused, even after a delete. */
  latestVersion: number;
  createdAt: number;
  updatedAt: number;
}

/**
 * How a file's SHA-256 was established when its version was registered:
 * `s3` - S3 computed it from the bytes it received (a single upload that declared it);
 * `computed` - the service read the stored object and hashed it;
 * `declared` - the uploader's own claim, for objects too large to hash at registration
 * that S3 could not check (multipart uploads).
 */
export const checksumSources = ['s3', 'computed', 'declared'] as const;
export type ChecksumSource = (typeof checksumSources)[number];

/** One file of a version: where it is in the run and what its bytes are. */
export interface ModelVersionFile {
  /** Relative to the version's source: what `download` writes under the destination. */
  path: string;
  /** The run artifact path. */
  artifactPath: string;
  sizeBytes: number;
  sha256: string;
  sha256Source: ChecksumSource;
  contentType: string;
  /** The S3 object; built by the service, never shown. */
  objectKey: string;
}

/** Where a version came from: one artifact of a run, or every artifact under a folder of it. */
export interface RunArtifactSource {
  runId: string;
  experimentId: string;
  /** The run artifact path the version was registered from. */
  path: string;
  kind: 'file' | 'folder';
}

/**
 * A version of a prompt in MLflow's prompt registry (a registered model tagged
 * `mlflow.prompt.is_prompt`): it holds no files, its template is its own tag
 * `mlflow.prompt.text`. `placeholder` is the source MLflow's client sent for
 * it, one of `promptSourcePlaceholders`, answered back as sent.
 */
export interface PromptSource {
  kind: 'prompt';
  placeholder: string;
}

export type ModelVersionSource = RunArtifactSource | PromptSource;

/** The run a version's files belong to; a prompt version has none. */
export const sourceRunOf = (source: ModelVersionSource): RunArtifactSource | undefined =>
  source.kind === 'prompt' ? undefined : source;

/**
 * MLflow's model version stages. MLflow replaced them with aliases and so does
 * Stratus, but older clients still move versions through them
 * (`transition_model_version_stage`, `models:/<name>/Production`): a version
 * keeps the stage it was last moved to, `None` until then.
 */
export const modelStages = ['None', 'Staging', 'Production', 'Archived'] as const;
export type ModelStage = (typeof modelStages)[number];

/** The stages `archive_existing_versions` may archive the others of (MLflow's "active" stages). */
export const activeStages: readonly ModelStage[] = ['Staging', 'Production'];

/** A stage as MLflow reads it: any letter case. */
export function canonicalStage(stage: string, field = 'stage'): ModelStage {
  const found = modelStages.find((known) => known.toLowerCase() === stage.trim().toLowerCase());
  if (!found) {
    throw new ValidationError(
      `${field}: '${stage}' is not a stage; use one of ${modelStages.join(', ')}`,
      `${field}.invalid`,
      undefined,
      { id: stage },
    );
  }
  return found;
}

export type ModelMetadata = Record<string, unknown>;

export interface ModelVersion {
  modelId: string;
  modelName: string;
  version: number;
  source: ModelVersionSource;
  description: string | undefined;
  tags: Tags;
  metadata: ModelMetadata | undefined;
  files: ModelVersionFile[];
  /** Aliases pointing at this version now. */
  aliases: readonly string[];
  /** MLflow's stage (`None` unless an MLflow client moved it). */
  stage: ModelStage;
  createdAt: number;
  updatedAt: number;
  createdBy: Actor;
}

export const aliasChanges = ['set', 'deleted', 'version_deleted'] as const;
export type AliasChange = (typeof aliasChanges)[number];

/** One move of an alias; the history is only ever appended to. */
export interface AliasEvent {
  alias: string;
  change: AliasChange;
  /** The version the alias pointed at before; undefined when it was new. */
  fromVersion: number | undefined;
  /** The version it points at after; undefined when it was deleted. */
  toVersion: number | undefined;
  at: number;
  by: Actor;
}

/**
 * Bounds that keep every item well inside DynamoDB's 400 KB and every
 * registration or version delete inside one transaction (at most 100 items:
 * the version, the model, the run check and one update per file).
 */
export const registryLimits = {
  nameLength: 250,
  descriptionLength: 5000,
  tagKeyLength: 250,
  /**
   * A prompt's template is a tag of its version (MLflow's prompt registry), and
   * system prompts run to tens of thousands of characters. MLflow takes 100,000;
   * here the budget of all tags of one model or version, below, bounds them too.
   */
  tagValueLength: 60_000,
  tagsPerEntity: 100,
  /** UTF-8 bytes of all tag keys and values of one model or version together. */
  tagBytesPerEntity: 64 * 1024,
  aliasLength: 255,
  aliasesPerModel: 100,
  /** Files of one version: one per item of the registration transaction. */
  filesPerVersion: 96,
  /** UTF-8 bytes of a version's metadata as JSON, and how deep it may nest. */
  metadataBytes: 16 * 1024,
  metadataDepth: 16,
  /**
   * Bytes the service reads from S3 to hash the files of one registration: what
   * the registration function (28 s) reads and hashes in a few seconds.
   */
  hashBytesPerRegistration: 256 * 1024 ** 2,
  maxVersion: 999_999_999,
} as const;

// Rejecting control characters is the point of this pattern.
const controlCharacters = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * What is wrong with a model name, if anything. A name is what
 * `models:/<name>/<version>` and `models:/<name>@<alias>` URIs carry, so `/`
 * and `@` are refused; so is anything that could not be stored as sent.
 */
export function modelNameProblem(name: string): string | undefined {
  if (!name.isWellFormed()) return 'must be valid Unicode (no lone surrogates)';
  if (name.trim().length === 0) return 'must not be empty';
  if (name.length > registryLimits.nameLength) return `must be at most ${registryLimits.nameLength} characters`;
  if (controlCharacters.test(name)) return 'must not contain control characters';
  if (name.includes('/') || name.includes('@')) return "must not contain '/' or '@' (they delimit model URIs)";
  return undefined;
}

export function checkModelName(name: string, field = 'name'): string {
  const problem = modelNameProblem(name);
  if (problem) throw new ValidationError(`${field}: ${problem}`, `${field}.invalid`);
  return name;
}

const aliasPattern = /^[A-Za-z0-9_-]+$/;

/**
 * What is wrong with an alias, if anything. Aliases follow MLflow: letters,
 * digits, `_` and `-`; `latest`, `v<digits>` and plain numbers are refused
 * because clients read them as version references.
 */
export function aliasProblem(alias: string): string | undefined {
  if (alias.length === 0) return 'must not be empty';
  if (alias.length > registryLimits.aliasLength) return `must be at most ${registryLimits.aliasLength} characters`;
  if (!aliasPattern.test(alias)) return 'may contain only letters, digits, _ and -';
  if (alias.toLowerCase() === 'latest' || /^v?\d+$/i.test(alias))
    return `'${alias}' is reserved: it would read as a version`;
  return undefined;
}

export function checkAlias(alias: string, field = 'alias'): string {
  const problem = aliasProblem(alias);
  if (problem) throw new ValidationError(`${field}: ${problem}`, `${field}.invalid`);
  return alias;
}

/** The UTF-8 size of a tag map, as counted against `tagBytesPerEntity`. */
export const tagBytes = (tags: Tags) =>
  Object.entries(tags).reduce((sum, [key, value]) => sum + Buffer.byteLength(key) + Buffer.byteLength(value), 0);

/**
 * Checks a whole tag map against the per-entity bounds; `field` names it in the
 * error, whose code (`<entity>.too_many_tags`) says a limit was reached rather
 * than a tag being malformed (MLflow's RESOURCE_LIMIT_EXCEEDED).
 */
export function checkTagBudget(tags: Tags, entity: 'registered_model' | 'model_version', field = 'tags'): void {
  const count = Object.keys(tags).length;
  if (count > registryLimits.tagsPerEntity) {
    throw new ValidationError(
      `${field}: would give ${count} tags; at most ${registryLimits.tagsPerEntity} are allowed`,
      `${entity}.too_many_tags`,
    );
  }
  const bytes = tagBytes(tags);
  if (bytes > registryLimits.tagBytesPerEntity) {
    throw new ValidationError(
      `${field}: would hold ${bytes} bytes of keys and values; at most ${registryLimits.tagBytesPerEntity} are allowed`,
      `${entity}.too_many_tags`,
    );
  }
}

/**
 * Tags with `changes` applied (a value of undefined deletes the key). Built on a
 * null prototype: user-chosen keys such as `__proto__` stay plain entries.
 */
export function mergeTags(current: Tags, changes: ReadonlyMap<string, string | undefined>): Tags {
  const merged: Tags = Object.create(null);
  for (const [key, value] of Object.entries(current)) merged[key] = value;
  for (const [key, value] of changes) {
    if (value === undefined) delete merged[key];
    else merged[key] = value;
  }
  return merged;
}

/** The files of a version, relative to its source: a folder's files keep their place, a single file its name. */
export function relativeFilePath(source: Pick<RunArtifactSource, 'path' | 'kind'>, artifactPath: string): string {
  if (source.kind === 'file') return artifactPath.slice(artifactPath.lastIndexOf('/') + 1);
  return artifactPath.slice(source.path.length + 1);
}

/** A version's reference in the artifacts it holds: the model id and the number, stable across renames. */
export const versionRef = (modelId: string, version: number) => `${modelId}#${version}`;

export function parseVersionRef(ref: string): { modelId: string; version: number } | undefined {
  const [modelId, version] = ref.split('#');
  if (!modelId || !version || !/^\d+$/.test(version)) return undefined;
  return { modelId, version: Number(version) };
}
