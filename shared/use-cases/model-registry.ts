import type { Principal } from '../domain/access.ts';
import { promptSourcePlaceholders } from '../domain/prompts.ts';
import { loggedModelArtifactPrefix } from '../domain/logged-models.ts';
import { type Artifact, normalizeArtifactPath } from '../domain/artifacts.ts';
import {
  activeStages,
  type AliasEvent,
  canonicalStage,
  type ChecksumSource,
  checkAlias,
  checkModelName,
  checkTagBudget,
  mergeTags,
  type ModelMetadata,
  type ModelStage,
  modelStages,
  type ModelVersion,
  type ModelVersionFile,
  type PromptSource,
  type RegisteredModel,
  registryLimits,
  relativeFilePath,
  type RunArtifactSource,
} from '../domain/registry.ts';
import type { Page, Tags } from '../domain/types.ts';
import { ConflictError, NotFoundError, ServiceUnavailableError, ValidationError } from '../errors.ts';
import type { Clock } from '../ids.ts';
import { limits } from '../limits.ts';
import type { ArtifactTreeReader } from '../storage/artifact-repository.ts';
import type { ArtifactObjectStore } from '../storage/artifact-store.ts';
import {
  type ModelRegistryRepository,
  RaceLostError,
  type StoredModel,
  type ScanPage,
  type StoredModelVersion,
  type UpdateOrder,
} from '../storage/model-registry-repository.ts';
import type { ArtifactChecksums } from '../storage/artifact-checksums.ts';
import type { ModelHoldsReader } from '../storage/model-holds.ts';
import type { RunReader } from '../storage/run-reader.ts';
import type { RequestScope } from './deps.ts';
import { folderNotFile, settlePending } from './artifacts.ts';

/** What the registry use cases need; each takes only the parts it uses, so tests build them from real parts. */
export interface RegistryDeps {
  registry: ModelRegistryRepository;
  /** Which versions hold a run's artifacts (see model-holds.ts). */
  holds: ModelHoldsReader;
  /** Sizes and SHA-256 of stored artifacts, for registration. */
  checksums: ArtifactChecksums;
  runs: RunReader;
  artifacts: ArtifactTreeReader;
  objects: ArtifactObjectStore;
  clock: Clock;
  newId: () => string;
}

type Deps<K extends keyof RegistryDeps> = Pick<RegistryDeps, K>;

/** Tag changes: a value sets the key, undefined deletes it. */
export type TagChanges = ReadonlyMap<string, string | undefined>;

// ----- registered models -----

export interface CreateModelInput {
  name: string;
  description?: string | undefined;
  tags?: Tags | undefined;
}

/** Creates a registered model; its name must be unique in the workspace (409 otherwise). */
export async function createRegisteredModel(
  scope: RequestScope,
  input: CreateModelInput,
  deps: Deps<'registry' | 'clock' | 'newId'>,
): Promise<RegisteredModel> {
  const name = checkModelName(input.name);
  const tags = mergeTags({}, new Map(Object.entries(input.tags ?? {})));
  checkTagBudget(tags, 'registered_model');
  const now = deps.clock.now();
  const model: RegisteredModel = {
    modelId: deps.newId(),
    name,
    description: input.description,
    tags,
    aliases: new Map(),
    latestVersion: 0,
    createdAt: now,
    updatedAt: now,
  };
  await deps.registry.createModel(scope.workspace, model);
  return model;
}

/**
 * A registered model that does not exist: "model 'x' does not exist", as people
 * (and the CLI's `stratus models`) call it, under the API's code `registered_model.not_found`.
 */
class ModelNotFoundError extends NotFoundError {
  constructor(name: string) {
    super('registered_model', name);
    this.message = `model '${name}' does not exist`;
  }
}

/** The model with this name; one being deleted counts as gone. */
export async function getRegisteredModel(
  scope: RequestScope,
  name: string,
  deps: Deps<'registry'>,
): Promise<StoredModel> {
  const model = await deps.registry.findModelByName(scope.workspace, name);
  if (!model || model.deleting) throw new ModelNotFoundError(name);
  return model;
}

export interface ListModelsInput {
  /** By name (the default) or by time of last change, ties by name A to Z. */
  by?: 'name' | 'updated' | undefined;
  /** Z to A, or newest first. */
  descending?: boolean | undefined;
  namePrefix?: string | undefined;
  nameContains?: string | undefined;
  tags?: Tags | undefined;
  limit: number;
  pageToken?: string | undefined;
}

/**
 * Registered models in name order (or by last change), filtered by name prefix
 * or substring (case-insensitive) and tag values.
 */
export function listRegisteredModels(
  scope: RequestScope,
  input: ListModelsInput,
  deps: Deps<'registry'>,
): Promise<Page<RegisteredModel>> {
  if (input.by === 'updated') {
    const contains = input.nameContains?.toLowerCase();
    const tags = Object.entries(input.tags ?? {});
    const matches = (model: RegisteredModel) =>
      (input.namePrefix === undefined || model.name.startsWith(input.namePrefix)) &&
      (contains === undefined || model.name.toLowerCase().includes(contains)) &&
      tags.every(([key, value]) => Object.hasOwn(model.tags, key) && model.tags[key] === value);
    return searchRegisteredModelsByUpdate(
      scope,
      {
        order: { newestFirst: input.descending === true, nameAscending: true, versionAscending: false },
        matches,
        limit: input.limit,
        pageToken: input.pageToken,
      },
      deps,
    );
  }
  return deps.registry.listModels(scope.workspace, {
    descending: input.descending === true,
    namePrefix: input.namePrefix,
    nameContains: input.nameContains,
    tags: input.tags ?? {},
    limit: input.limit,
    pageToken: input.pageToken,
  });
}

/** A search by time of last change: its order, which items it keeps, and its page. */
export interface UpdateOrderedSearch<T> {
  order: UpdateOrder;
  matches: (item: T) => boolean;
  limit: number;
  pageToken?: string | undefined;
}

/** Registered models by time of last change, ties by name; `matches` keeps those the caller's filter takes. */
export function searchRegisteredModelsByUpdate(
  scope: RequestScope,
  input: UpdateOrderedSearch<RegisteredModel>,
  deps: Deps<'registry'>,
): Promise<Page<StoredModel>> {
  return fillPage(input, (limit, pageToken) =>
    deps.registry.listModelsByUpdate(scope.workspace, input.order, { limit, pageToken }),
  );
}

/**
 * Every version of the workspace by time of last change (MLflow's version
 * search without a model or run), ties by model name and version, each with
 * its model's current name; `matches` keeps those the caller's filter takes.
 */
export function searchModelVersionsByUpdate(
  scope: RequestScope,
  input: UpdateOrderedSearch<ModelVersion>,
  deps: Deps<'registry'>,
): Promise<Page<ModelVersion>> {
  return fillPage(input, (limit, pageToken) =>
    deps.registry.listVersionsByUpdate(scope.workspace, input.order, { limit, pageToken }),
  );
}

/** How many entries one filtered search request reads at most before it answers a short page. */
const filteredReadBudget = 5000;

/**
 * A page of the rows `input.matches` keeps, read on while the filter leaves
 * it short (up to `filteredReadBudget` rows) and one match beyond, as MLflow
 * reads one row more than it answers: so the token is there only when
 * another match is. The page also ends before its answer would pass
 * `limits.answerBytes`. The token goes on after the last item answered, or,
 * when the budget ran out first, after the last row read.
 */
async function fillPage<T>(
  input: { matches: (item: T) => boolean; limit: number; pageToken?: string | undefined },
  read: (limit: number, pageToken: string | undefined) => Promise<ScanPage<T>>,
): Promise<Page<T>> {
  const items: T[] = [];
  let bytes = 0;
  let afterLast: (() => Promise<string>) | undefined;
  let token = input.pageToken;
  for (let budget = filteredReadBudget; ;) {
    const asked = Math.max(1, Math.min(budget, input.limit + 1 - items.length));
    const { rows, more } = await read(asked, token);
    for (const row of rows) {
      if (row.item === undefined || !input.matches(row.item)) continue;
      if (items.length >= input.limit || (bytes + row.bytes > limits.answerBytes && items.length > 0)) {
        return { items, cursor: await (afterLast as () => Promise<string>)() };
      }
      items.push(row.item);
      bytes += row.bytes;
      afterLast = row.cursor;
    }
    const last = rows[rows.length - 1];
    budget -= rows.length;
    if (!more || !last) return { items, cursor: undefined };
    token = await last.cursor();
    if (budget <= 0) return { items, cursor: token };
  }
}

/** Per-model reads of a page of models run this many at a time. */
const perModelConcurrency = 16;

/**
 * The highest version each model has now (0: none). The model's `latestVersion`
 * is the counter registrations race on and never goes down, so a deleted
 * version would otherwise still be "latest": this reads one key per model
 * (a descending Query of one item), a few models at a time.
 */
export async function newestVersions(
  scope: RequestScope,
  models: readonly RegisteredModel[],
  deps: Deps<'registry'>,
): Promise<Map<string, number>> {
  const newest = new Map<string, number>();
  for (let start = 0; start < models.length; start += perModelConcurrency) {
    await Promise.all(
      models.slice(start, start + perModelConcurrency).map(async (model) => {
        newest.set(
          model.modelId,
          model.latestVersion === 0 ? 0 : await deps.registry.newestVersion(scope.workspace, model.modelId),
        );
      }),
    );
  }
  return newest;
}

export interface UpdateModelInput {
  /** Present (even as undefined, which clears it) to change the description. */
  description?: string | undefined;
  tags?: TagChanges | undefined;
  newName?: string | undefined;
}

/** Changes a model's description and tags, and renames it; each change is all-or-nothing. */
export async function updateRegisteredModel(
  scope: RequestScope,
  name: string,
  input: UpdateModelInput,
  deps: Deps<'registry' | 'clock'>,
): Promise<RegisteredModel> {
  let current = name;
  if (input.newName !== undefined && input.newName !== name) {
    const newName = checkModelName(input.newName, 'new_name');
    await retryOnRace(async () => {
      const model = await getRegisteredModel(scope, current, deps);
      await deps.registry.renameModel(scope.workspace, model, newName, deps.clock.now());
    });
    current = newName;
  }
  if ('description' in input || input.tags) {
    await retryOnRace(async () => {
      const model = await getRegisteredModel(scope, current, deps);
      const changes: { description?: string | undefined; tags?: Tags } = {};
      if ('description' in input) changes.description = input.description;
      if (input.tags) {
        changes.tags = mergeTags(model.tags, input.tags);
        checkTagBudget(changes.tags, 'registered_model');
      }
      await deps.registry.updateModel(scope.workspace, model, changes, deps.clock.now());
    });
  }
  return getRegisteredModel(scope, current, deps);
}

/**
 * Deletes a model with all its versions (releasing the artifacts they held)
 * and its alias history. The model disappears at the first step; a delete that
 * was interrupted is finished by calling it again.
 */
export async function deleteRegisteredModel(
  scope: RequestScope,
  principal: Principal,
  name: string,
  deps: Deps<'registry' | 'clock' | 'newId'>,
): Promise<void> {
  const model = await retryOnRace(async () => {
    const found = await deps.registry.findModelByName(scope.workspace, name);
    if (!found) throw new ModelNotFoundError(name);
    await deps.registry.markModelDeleting(scope.workspace, found);
    return { ...found, deleting: true };
  });
  for await (const version of deps.registry.allVersions(scope.workspace, model.modelId)) {
    await removeVersion(scope, principal, model, version, deps, { deleting: true });
  }
  await deps.registry.deleteAliasHistory(scope.workspace, model.modelId);
  await deps.registry.removeModel(scope.workspace, model);
}

// ----- versions -----

export interface RegisterVersionInput {
  runId: string;
  /** A run artifact path: one COMPLETE artifact, or a folder whose artifacts are all COMPLETE. */
  artifactPath: string;
  description?: string | undefined;
  tags?: Tags | undefined;
  metadata?: ModelMetadata | undefined;
}

/**
 * Registers the next version of a model from a run's artifacts. Every artifact
 * must be COMPLETE (409 naming the others). Each file's size and SHA-256 are
 * recorded: S3's own checksum where it checked one, else the service hashes the
 * stored bytes (up to `hashBytesPerRegistration` a registration) and compares
 * them with what the uploader declared. The version and its number are written
 * in one transaction that also marks the artifacts as held, so from then on they
 * cannot be deleted, and version numbers never repeat or skip.
 */
export async function registerModelVersion(
  scope: RequestScope,
  principal: Principal,
  name: string,
  input: RegisterVersionInput,
  deps: Deps<'registry' | 'runs' | 'artifacts' | 'objects' | 'checksums' | 'clock'>,
): Promise<ModelVersion> {
  const artifactPath = normalizeArtifactPath(input.artifactPath, 'artifact_path');
  const tags = mergeTags({}, new Map(Object.entries(input.tags ?? {})));
  checkTagBudget(tags, 'model_version');
  const model = await getRegisteredModel(scope, name, deps);
  const run = await deps.runs.get(scope.workspace, input.runId);
  if (!run) throw new NotFoundError('run', input.runId);
  if (run.lifecycleStage === 'deleted') {
    throw new ConflictError('run.deleted', `run_id: run '${input.runId}' is deleted; restore it first`);
  }
  // A run of a deleted experiment reads deleted (runStage) and may be purged: no version holds it meanwhile.
  if ((await deps.runs.experimentStage(scope.workspace, run.experimentId)) === 'deleted') {
    throw new ConflictError(
      'run.deleted',
      `run_id: run '${input.runId}' is deleted with its experiment '${run.experimentId}'; restore the experiment first`,
    );
  }
  const { source, artifacts } = await resolveSource(scope, run.runId, run.experimentId, artifactPath, deps);
  const files = await fingerprint(source, artifacts, deps);
  return writeNextVersion(
    scope,
    principal,
    model,
    { source, files, description: input.description, tags, metadata: input.metadata },
    deps,
  );
}

export interface RegisterPromptVersionInput {
  /** The source MLflow's client sent: one of `promptSourcePlaceholders`. */
  placeholder: string;
  description?: string | undefined;
  /** The version's tags, its template (`mlflow.prompt.text`) among them. */
  tags?: Tags | undefined;
}

/**
 * Registers the next version of a prompt (MLflow's prompt registry keeps
 * prompts as registered models): a version of tags alone, with no run and no
 * files. MLflow's server takes only its own placeholders as such a version's
 * source, and so does this.
 */
export async function registerPromptVersion(
  scope: RequestScope,
  principal: Principal,
  name: string,
  input: RegisterPromptVersionInput,
  deps: Deps<'registry' | 'clock'>,
): Promise<ModelVersion> {
  if (!promptSourcePlaceholders.includes(input.placeholder)) {
    // MLflow's server's words (handlers._validate_prompt_source): prompts exist only in its dialect.
    throw new ValidationError(
      `Invalid prompt source: '${input.placeholder}'. Prompt sources must use an MLflow placeholder.`,
      'source.invalid',
    );
  }
  const tags = mergeTags({}, new Map(Object.entries(input.tags ?? {})));
  checkTagBudget(tags, 'model_version');
  const model = await getRegisteredModel(scope, name, deps);
  const source: PromptSource = { kind: 'prompt', placeholder: input.placeholder };
  return writeNextVersion(
    scope,
    principal,
    model,
    { source, files: [], description: input.description, tags, metadata: undefined },
    deps,
  );
}

/**
 * Writes `model`'s next version, its number taken from the model's counter in
 * the same transaction; a registration that raced this one is retried with the
 * model read again.
 */
async function writeNextVersion(
  scope: RequestScope,
  principal: Principal,
  model: StoredModel,
  content: Pick<ModelVersion, 'source' | 'files' | 'description' | 'tags' | 'metadata'>,
  deps: Deps<'registry' | 'clock'>,
): Promise<ModelVersion> {
  let current = model;
  return retryOnRace(async (attempt) => {
    if (attempt > 0) current = await getRegisteredModel(scope, current.name, deps);
    const number = current.latestVersion + 1;
    if (number > registryLimits.maxVersion) {
      throw new ConflictError(
        'registered_model.version_limit',
        `name: '${current.name}' has reached its last version number`,
      );
    }
    const now = deps.clock.now();
    const version: ModelVersion = {
      modelId: current.modelId,
      modelName: current.name,
      version: number,
      ...content,
      aliases: [],
      stage: 'None',
      createdAt: now,
      updatedAt: now,
      createdBy: { tokenId: principal.tokenId },
    };
    await deps.registry.createVersion(scope.workspace, current, {
      version,
      artifactPaths: content.files.map((file) => file.artifactPath),
    });
    return version;
  }, registrationAttempts);
}

/**
 * The artifacts a version will hold: the one at `path`, or all under the folder
 * `path/`; failing both, the folder of the run's newest MLflow 3 logged model
 * named `path` (`log_model(name="model")` stores under `models/<id>/`, and
 * `runs:/<run>/model` still names it).
 */
async function resolveSource(
  scope: RequestScope,
  runId: string,
  experimentId: string,
  requestedPath: string,
  deps: Deps<'registry' | 'artifacts' | 'objects' | 'clock'>,
): Promise<{ source: RunArtifactSource; artifacts: Artifact[] }> {
  let path = requestedPath;
  const single = await deps.artifacts.get(scope.workspace, runId, path);
  let artifacts: Artifact[];
  let kind: RunArtifactSource['kind'];
  if (single) {
    artifacts = [single];
    kind = 'file';
  } else {
    const under = (folder: string) =>
      deps.artifacts.listUnder(scope.workspace, runId, `${folder}/`, registryLimits.filesPerVersion + 1);
    artifacts = await under(path);
    kind = 'folder';
    if (artifacts.length === 0 && !path.includes('/')) {
      const modelId = await deps.registry.newestRunLoggedModelNamed(scope.workspace, experimentId, runId, path);
      if (modelId) {
        path = loggedModelArtifactPrefix(modelId);
        artifacts = await under(path);
      }
    }
    if (artifacts.length === 0) {
      throw new NotFoundError('artifact', `${requestedPath}' in run '${runId}`);
    }
    if (artifacts.length > registryLimits.filesPerVersion) {
      throw new ConflictError(
        'model_version.too_many_files',
        `artifact_path: '${path}' holds more than ${registryLimits.filesPerVersion} files; a version holds at most ${registryLimits.filesPerVersion}`,
      );
    }
  }
  // Uploads redirected to S3 (MLflow's client PUTs) are PENDING until their object is seen: look now.
  artifacts = await settlePending(scope, runId, artifacts, deps);
  const pending = artifacts.filter((artifact) => artifact.status !== 'COMPLETE');
  if (pending.length > 0) {
    const named = pending.slice(0, 5).map((artifact) => `'${artifact.path}'`);
    const more = pending.length > 5 ? ` and ${pending.length - 5} more` : '';
    throw new ConflictError(
      'model_version.artifacts_incomplete',
      `artifact_path: the upload of ${named.join(', ')}${more} has not been completed; only COMPLETE artifacts can be registered`,
    );
  }
  return { source: { runId, experimentId, path, kind }, artifacts };
}

/** Size and SHA-256 of every file, established from the stored bytes wherever that is affordable. */
async function fingerprint(
  source: RunArtifactSource,
  artifacts: readonly Artifact[],
  deps: Deps<'checksums'>,
): Promise<ModelVersionFile[]> {
  let hashBudget: number = registryLimits.hashBytesPerRegistration;
  const files: ModelVersionFile[] = [];
  for (const artifact of artifacts) {
    const stored = await deps.checksums.describe(artifact.objectKey);
    if (!stored || stored.sizeBytes !== artifact.sizeBytes) {
      throw new ConflictError(
        'model_version.artifact_changed',
        `artifact_path: the stored object of '${artifact.path}' is missing or not the size recorded at upload`,
      );
    }
    let sha256: string;
    let sha256Source: ChecksumSource;
    if (stored.sha256) {
      sha256 = stored.sha256;
      sha256Source = 's3';
    } else if (artifact.sizeBytes <= hashBudget) {
      hashBudget -= artifact.sizeBytes;
      const hashed = await deps.checksums.sha256(artifact.objectKey);
      if (hashed.sizeBytes !== artifact.sizeBytes) {
        throw new ConflictError(
          'model_version.artifact_changed',
          `artifact_path: the stored object of '${artifact.path}' is not the size recorded at upload`,
        );
      }
      sha256 = hashed.sha256;
      sha256Source = 'computed';
    } else if (artifact.sha256) {
      sha256 = artifact.sha256;
      sha256Source = 'declared';
    } else {
      throw new ConflictError(
        'model_version.checksum_unknown',
        `artifact_path: '${artifact.path}' was uploaded without a sha256 and is too large to hash at registration (over ${registryLimits.hashBytesPerRegistration} bytes together); upload it with its sha256`,
      );
    }
    if (artifact.sha256 && artifact.sha256 !== sha256) {
      throw new ConflictError(
        'model_version.checksum_mismatch',
        `artifact_path: the stored bytes of '${artifact.path}' do not have the SHA-256 declared at upload`,
      );
    }
    files.push({
      path: relativeFilePath(source, artifact.path),
      artifactPath: artifact.path,
      sizeBytes: artifact.sizeBytes,
      sha256,
      sha256Source,
      contentType: artifact.contentType,
      objectKey: artifact.objectKey,
    });
  }
  return files;
}

/** A version by number. */
export async function getModelVersion(
  scope: RequestScope,
  name: string,
  version: number,
  deps: Deps<'registry'>,
): Promise<StoredModelVersion> {
  const model = await getRegisteredModel(scope, name, deps);
  return findVersion(scope, model, version, deps);
}

async function findVersion(
  scope: RequestScope,
  model: StoredModel,
  version: number,
  deps: Deps<'registry'>,
): Promise<StoredModelVersion> {
  const found = await deps.registry.getVersion(scope.workspace, model.modelId, version);
  if (!found) throw new NotFoundError('model_version', `${model.name}/${version}`);
  // Versions keep the name they were registered under; the model's current name is the one to show.
  return { ...found, modelName: model.name };
}

/**
 * MLflow's "latest versions" of a model: for each stage asked (all four when
 * none is), the highest-numbered version in it. In MLflow's order: its store
 * walks the versions oldest first and keeps a stage where its first version put
 * it, so stages come in the order of their lowest version number.
 */
export async function latestVersionsByStage(
  scope: RequestScope,
  name: string,
  stages: readonly string[] | undefined,
  deps: Deps<'registry'>,
): Promise<{ model: StoredModel; latest: ModelVersion[] }> {
  const model = await getRegisteredModel(scope, name, deps);
  const wanted = stages?.length
    ? new Set(stages.map((stage) => canonicalStage(stage, 'stages')))
    : new Set(modelStages);
  return { model, latest: await latestVersionsOf(scope, model, wanted, deps) };
}

/** `latestVersionsByStage` of a model already read (MLflow's update and rename answer with them too). */
export async function latestVersionsOf(
  scope: RequestScope,
  model: RegisteredModel,
  wanted: ReadonlySet<ModelStage>,
  deps: Deps<'registry'>,
): Promise<ModelVersion[]> {
  const heads = stageHeads(await deps.registry.versionStages(scope.workspace, model.modelId));
  const order = [...heads].filter(([stage]) => wanted.has(stage)).map(([, version]) => version);
  const found = await deps.registry.getVersions(
    scope.workspace,
    order.map((version) => ({ modelId: model.modelId, version })),
  );
  return order.flatMap((version) => {
    const match = found.find((candidate) => candidate.version === version);
    return match ? [{ ...match, modelName: model.name }] : [];
  });
}

/**
 * The latest version in each stage of every model of a page (MLflow's
 * registered-models/search). In stage-name order, as MLflow's server answers
 * (a window function partitioned by stage), which is not get's order.
 * A page of models costs one projection query per model, a few at a time,
 * and one BatchGetItem per 100 versions.
 */
export async function latestVersionsOfModels(
  scope: RequestScope,
  models: readonly RegisteredModel[],
  deps: Deps<'registry'>,
): Promise<Map<string, ModelVersion[]>> {
  const heads = new Map<string, Map<ModelStage, number>>();
  for (let start = 0; start < models.length; start += perModelConcurrency) {
    await Promise.all(
      models.slice(start, start + perModelConcurrency).map(async (model) => {
        heads.set(model.modelId, stageHeads(await deps.registry.versionStages(scope.workspace, model.modelId)));
      }),
    );
  }
  const refs = models.flatMap((model) =>
    [...(heads.get(model.modelId) ?? [])].map(([, version]) => ({ modelId: model.modelId, version })),
  );
  const found = new Map<string, ModelVersion[]>();
  for (const version of await deps.registry.getVersions(scope.workspace, refs)) {
    const list = found.get(version.modelId) ?? [];
    list.push(version);
    found.set(version.modelId, list);
  }
  const byStageName = (a: ModelVersion, b: ModelVersion) => (a.stage < b.stage ? -1 : a.stage > b.stage ? 1 : 0);
  return new Map(
    models.map((model) => [
      model.modelId,
      (found.get(model.modelId) ?? []).map((version) => ({ ...version, modelName: model.name })).sort(byStageName),
    ]),
  );
}

/**
 * The highest version in each stage, keyed in the order of each stage's lowest
 * version (a Map keeps a key where it was first set, as MLflow's dict does).
 */
function stageHeads(versions: readonly { version: number; stage: ModelStage }[]): Map<ModelStage, number> {
  const heads = new Map<ModelStage, number>();
  for (const { version, stage } of [...versions].sort((a, b) => a.version - b.version)) heads.set(stage, version);
  return heads;
}

/**
 * Moves a version to an MLflow stage; with `archiveExisting` (only for Staging
 * and Production) the model's other versions in that stage go to Archived.
 */
export async function transitionModelVersionStage(
  scope: RequestScope,
  name: string,
  version: number,
  input: { stage: string; archiveExisting: boolean },
  deps: Deps<'registry' | 'clock'>,
): Promise<ModelVersion> {
  const stage = canonicalStage(input.stage);
  if (input.archiveExisting && !activeStages.includes(stage)) {
    throw new ValidationError(
      `archive_existing_versions: archives the other versions only when moving to ${activeStages.join(' or ')}, not '${stage}'`,
      'archive_existing_versions.invalid',
    );
  }
  await retryOnRace(async () => {
    const target = await getModelVersion(scope, name, version, deps);
    const others = input.archiveExisting
      ? (await deps.registry.versionStages(scope.workspace, target.modelId)).filter(
          (other) => other.stage === stage && other.version !== version,
        )
      : [];
    await deps.registry.transitionStage(scope.workspace, target, stage, others, deps.clock.now());
  });
  return getModelVersion(scope, name, version, deps);
}

/**
 * Where an MLflow logged model's files are (`models:/<id>` as a version's
 * source): its source run's artifacts under `models/<id>/`.
 */
export async function loggedModelSource(
  scope: RequestScope,
  modelId: string,
  deps: Deps<'registry'>,
): Promise<{ runId: string; artifactPath: string }> {
  const runId = await deps.registry.loggedModelSourceRun(scope.workspace, modelId);
  if (!runId) throw new NotFoundError('logged_model', modelId);
  return { runId, artifactPath: loggedModelArtifactPrefix(modelId) };
}

/** A model's versions, newest first (or oldest first). */
export async function listModelVersions(
  scope: RequestScope,
  name: string,
  input: { limit: number; pageToken?: string | undefined; oldestFirst?: boolean | undefined },
  deps: Deps<'registry'>,
): Promise<Page<ModelVersion>> {
  const model = await getRegisteredModel(scope, name, deps);
  const page = await deps.registry.listVersions(scope.workspace, model.modelId, {
    limit: input.limit,
    pageToken: input.pageToken,
    oldestFirst: input.oldestFirst === true,
  });
  return { items: page.items.map((version) => ({ ...version, modelName: model.name })), cursor: page.cursor };
}

/** The versions registered from a run, newest first (or oldest first), with their models' current names (an index: may lag by a second). */
export async function listRunModelVersions(
  scope: RequestScope,
  runId: string,
  input: { limit: number; pageToken?: string | undefined; oldestFirst?: boolean | undefined },
  deps: Deps<'registry' | 'runs'>,
): Promise<Page<ModelVersion>> {
  const run = await deps.runs.get(scope.workspace, runId);
  if (!run) throw new NotFoundError('run', runId);
  const page = await deps.registry.listVersionsByRun(scope.workspace, runId, {
    limit: input.limit,
    pageToken: input.pageToken,
    oldestFirst: input.oldestFirst === true,
  });
  const names = new Map<string, string | undefined>();
  const items: ModelVersion[] = [];
  for (const version of page.items) {
    if (!names.has(version.modelId)) {
      const model = await deps.registry.getModel(scope.workspace, version.modelId);
      names.set(version.modelId, model && !model.deleting ? model.name : undefined);
    }
    const modelName = names.get(version.modelId);
    if (modelName !== undefined) items.push({ ...version, modelName });
  }
  return { items, cursor: page.cursor };
}

/** Changes a version's description and tags; its files and source never change. */
export async function updateModelVersion(
  scope: RequestScope,
  name: string,
  version: number,
  input: { description?: string | undefined; tags?: TagChanges | undefined },
  deps: Deps<'registry' | 'clock'>,
): Promise<ModelVersion> {
  if ('description' in input || input.tags) {
    await retryOnRace(async () => {
      const found = await getModelVersion(scope, name, version, deps);
      const changes: { description?: string | undefined; tags?: Tags } = {};
      if ('description' in input) changes.description = input.description;
      if (input.tags) {
        changes.tags = mergeTags(found.tags, input.tags);
        checkTagBudget(changes.tags, 'model_version');
      }
      await deps.registry.updateVersion(scope.workspace, found, changes, deps.clock.now());
    });
  }
  return getModelVersion(scope, name, version, deps);
}

/**
 * Deletes a version: the aliases pointing at it are removed first (each
 * recorded in the history as `version_deleted`), then the version goes and the
 * artifacts it held can be deleted again. Its number is never reused.
 */
export async function deleteModelVersion(
  scope: RequestScope,
  principal: Principal,
  name: string,
  version: number,
  deps: Deps<'registry' | 'clock' | 'newId'>,
): Promise<void> {
  const model = await getRegisteredModel(scope, name, deps);
  const found = await findVersion(scope, model, version, deps);
  await removeVersion(scope, principal, model, found, deps, { deleting: false });
}

async function removeVersion(
  scope: RequestScope,
  principal: Principal,
  model: StoredModel,
  version: StoredModelVersion,
  deps: Deps<'registry' | 'clock' | 'newId'>,
  options: { deleting: boolean },
): Promise<void> {
  if (!options.deleting) {
    for (const alias of version.aliases) {
      await moveAliasOf(scope, principal, model.name, alias, undefined, 'version_deleted', deps);
    }
  }
  await retryOnRace(async (attempt) => {
    const current =
      attempt === 0 ? version : await deps.registry.getVersion(scope.workspace, model.modelId, version.version);
    if (!current) return;
    // An alias set between the two steps makes the delete lose its race: move it away too, then retry.
    if (attempt > 0 && !options.deleting) {
      for (const alias of current.aliases) {
        await moveAliasOf(scope, principal, model.name, alias, undefined, 'version_deleted', deps);
      }
    }
    // While the model is being deleted no alias can be set, and its history goes with it.
    await deps.registry.deleteVersion(scope.workspace, model, current, deps.clock.now(), {
      withAliases: options.deleting,
    });
  });
}

// ----- aliases -----

/** Points `alias` at `version` (moving it if it pointed elsewhere) and records the move. */
export async function setModelAlias(
  scope: RequestScope,
  principal: Principal,
  name: string,
  alias: string,
  version: number,
  deps: Deps<'registry' | 'clock' | 'newId'>,
): Promise<RegisteredModel> {
  checkAlias(alias);
  await moveAliasOf(scope, principal, name, alias, version, 'set', deps);
  return getRegisteredModel(scope, name, deps);
}

/** Removes an alias (404 if the model has no such alias) and records the removal. */
export async function deleteModelAlias(
  scope: RequestScope,
  principal: Principal,
  name: string,
  alias: string,
  deps: Deps<'registry' | 'clock' | 'newId'>,
): Promise<void> {
  checkAlias(alias);
  await moveAliasOf(scope, principal, name, alias, undefined, 'deleted', deps);
}

async function moveAliasOf(
  scope: RequestScope,
  principal: Principal,
  name: string,
  alias: string,
  toVersion: number | undefined,
  change: AliasEvent['change'],
  deps: Deps<'registry' | 'clock' | 'newId'>,
): Promise<void> {
  await retryOnRace(async () => {
    const model = await getRegisteredModel(scope, name, deps);
    const fromVersion = model.aliases.get(alias);
    if (toVersion === undefined && fromVersion === undefined) {
      if (change === 'version_deleted') return;
      throw new NotFoundError('alias', `${name}@${alias}`);
    }
    if (toVersion !== undefined && fromVersion === toVersion) return;
    const aliases = new Map(model.aliases);
    if (toVersion === undefined) aliases.delete(alias);
    else aliases.set(alias, toVersion);
    if (aliases.size > registryLimits.aliasesPerModel) {
      throw new ConflictError(
        'registered_model.alias_limit',
        `alias: '${name}' already has ${registryLimits.aliasesPerModel} aliases, the most a model may have`,
      );
    }
    await deps.registry.moveAlias(scope.workspace, model, aliases, {
      alias,
      fromVersion,
      toVersion,
      change,
      at: deps.clock.now(),
      by: { tokenId: principal.tokenId },
      eventId: deps.newId(),
    });
  });
}

/** The version an alias points at now. */
export async function getModelVersionByAlias(
  scope: RequestScope,
  name: string,
  alias: string,
  deps: Deps<'registry'>,
): Promise<StoredModelVersion> {
  const model = await getRegisteredModel(scope, name, deps);
  const version = model.aliases.get(alias);
  if (version === undefined) throw new NotFoundError('alias', `${name}@${alias}`);
  return findVersion(scope, model, version, deps);
}

/** A model's highest-numbered version now: what MLflow's `@latest` reads. */
export async function getNewestModelVersion(
  scope: RequestScope,
  name: string,
  deps: Deps<'registry'>,
): Promise<StoredModelVersion> {
  const model = await getRegisteredModel(scope, name, deps);
  const newest = (await newestVersions(scope, [model], deps)).get(model.modelId) ?? 0;
  if (newest === 0) throw new NotFoundError('latest_version', name);
  return findVersion(scope, model, newest, deps);
}

export interface AliasHistoryInput {
  alias?: string | undefined;
  /** Only moves at or before this time: the first event is where the alias stood then. */
  until?: number | undefined;
  limit: number;
  pageToken?: string | undefined;
}

/** A model's alias moves, newest first. */
export async function getAliasHistory(
  scope: RequestScope,
  name: string,
  input: AliasHistoryInput,
  deps: Deps<'registry'>,
): Promise<Page<AliasEvent>> {
  if (input.alias !== undefined) checkAlias(input.alias);
  const model = await getRegisteredModel(scope, name, deps);
  return deps.registry.aliasHistory(scope.workspace, model.modelId, {
    alias: input.alias,
    until: input.until,
    limit: input.limit,
    pageToken: input.pageToken,
  });
}

// ----- downloads -----

export interface VersionDownload {
  version: ModelVersion;
  expiresAt: number;
  files: Array<{ path: string; url: string; sizeBytes: number; sha256: string }>;
}

/** Short-lived presigned GET URLs for every file of a version, with the sizes and checksums to verify. */
export async function getModelVersionDownload(
  scope: RequestScope,
  name: string,
  version: number,
  deps: Deps<'registry' | 'objects' | 'clock'>,
): Promise<VersionDownload> {
  const found = await getModelVersion(scope, name, version, deps);
  const files = await Promise.all(
    found.files.map(async (file) => ({
      path: file.path,
      url: await deps.objects.presignGet(file.objectKey, file.path.slice(file.path.lastIndexOf('/') + 1)),
      sizeBytes: file.sizeBytes,
      sha256: file.sha256,
    })),
  );
  return { version: found, expiresAt: deps.clock.now() + deps.objects.urlLifetimeMs, files };
}

/**
 * A short-lived presigned GET URL for one file of a version, by its path relative to
 * the version's source (as `download` names it). The version holds the file, so the
 * URL reads exactly what was registered.
 */
export async function getModelVersionFileDownload(
  scope: RequestScope,
  name: string,
  version: number,
  path: string,
  deps: Deps<'registry' | 'objects' | 'clock'>,
): Promise<{ path: string; url: string; expiresAt: number; sizeBytes: number }> {
  const wanted = normalizeArtifactPath(path);
  const found = await getModelVersion(scope, name, version, deps);
  const file = found.files.find((candidate) => candidate.path === wanted);
  if (!file) {
    if (found.files.some((candidate) => candidate.path.startsWith(`${wanted}/`))) throw folderNotFile(wanted);
    throw new NotFoundError('artifact', wanted);
  }
  return {
    path: file.path,
    url: await deps.objects.presignGet(file.objectKey, file.path.slice(file.path.lastIndexOf('/') + 1)),
    expiresAt: deps.clock.now() + deps.objects.urlLifetimeMs,
    sizeBytes: file.sizeBytes,
  };
}

// ----- concurrency -----

/** Registrations race each other for the next number; each round one wins, so allow a round per racer and more. */
const registrationAttempts = 60;
const defaultAttempts = 10;

/**
 * Runs `attempt` again (after a jittered pause) whenever it lost a conditional
 * write to a concurrent writer; it re-reads what it needs each time. A request
 * that keeps losing is told to come back (503 with Retry-After).
 */
async function retryOnRace<T>(attempt: (n: number) => Promise<T>, attempts = defaultAttempts): Promise<T> {
  for (let n = 0; ; n++) {
    try {
      return await attempt(n);
    } catch (error) {
      if (!(error instanceof RaceLostError)) throw error;
      if (n + 1 >= attempts) throw new ServiceUnavailableError(1);
      await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(200, 10 * 2 ** Math.min(n, 5))));
    }
  }
}

/** Whether a user-facing input is a version number the registry could have given out. */
export function parseVersionNumber(raw: string, field = 'version'): number {
  if (!/^[1-9]\d{0,8}$/.test(raw)) {
    throw new ValidationError(`${field}: must be a version number from 1 to ${registryLimits.maxVersion}`);
  }
  return Number(raw);
}
