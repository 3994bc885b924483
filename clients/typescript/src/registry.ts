import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readdir, realpath, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { artifactPathFor, uploadArtifact } from './artifacts.ts';
import { StratusError } from './errors.ts';
import { defaultRetry, errorFromResponse, exchange, type RetryPolicy, Transport } from './http.ts';
import type { ArtifactType } from './types.ts';

/**
 * The model registry: registered models, immutable numbered versions, aliases
 * and their history (docs/registry.md). Every call throws on failure: a
 * registration that did not happen must not look as if it did.
 */

export interface ModelVersionFile {
  path: string;
  artifactPath: string;
  sizeBytes: number;
  sha256: string;
  sha256Source: 's3' | 'computed' | 'declared';
}

export interface ModelVersion {
  name: string;
  version: number;
  /** Undefined for a prompt's version (MLflow's prompt registry): it has no run and no files. */
  runId: string | undefined;
  experimentId: string | undefined;
  artifactPath: string | undefined;
  sourceKind: 'file' | 'folder' | 'prompt';
  status: string;
  files: ModelVersionFile[];
  sizeBytes: number;
  aliases: string[];
  tags: Record<string, string>;
  metadata: Record<string, unknown> | undefined;
  description: string | undefined;
  createdAt: number;
  updatedAt: number;
  createdBy: string;
}

export interface RegisteredModel {
  name: string;
  latestVersion: number;
  /** Alias → version. */
  aliases: Map<string, number>;
  tags: Record<string, string>;
  description: string | undefined;
  createdAt: number;
  updatedAt: number;
}

export interface AliasEvent {
  alias: string;
  change: 'set' | 'deleted' | 'version_deleted';
  fromVersion: number | undefined;
  toVersion: number | undefined;
  at: number;
  by: string;
}

/** A version number, an alias (`"champion"`) or `"latest"`. */
export type VersionRef = number | string;

export interface RegistryOptions {
  /** Defaults to STRATUS_ENDPOINT. */
  endpoint?: string;
  /** Defaults to STRATUS_TOKEN. */
  token?: string;
  timeoutMs?: number;
  retry?: RetryPolicy;
  uploadConcurrency?: number;
}

export interface RegisterOptions {
  /** The run the artifact belongs to; else `metadata.run_id`. */
  runId?: string;
  metadata?: Record<string, unknown>;
  description?: string;
  tags?: Record<string, string>;
  /** The type a local file gets when it is uploaded first. */
  artifactType?: ArtifactType;
}

const q = encodeURIComponent;

const fileFrom = (data: any): ModelVersionFile => ({
  path: data.path,
  artifactPath: data.artifact_path,
  sizeBytes: data.size_bytes,
  sha256: data.sha256,
  sha256Source: data.sha256_source,
});

const versionFrom = (data: any): ModelVersion => ({
  name: data.name,
  version: data.version,
  runId: data.source.run_id,
  experimentId: data.source.experiment_id,
  artifactPath: data.source.artifact_path,
  sourceKind: data.source.kind,
  status: data.status,
  files: (data.files ?? []).map(fileFrom),
  sizeBytes: data.size_bytes,
  aliases: data.aliases ?? [],
  tags: data.tags ?? {},
  metadata: data.metadata,
  description: data.description,
  createdAt: data.created_at,
  updatedAt: data.updated_at,
  createdBy: data.created_by?.token_id,
});

const modelFrom = (data: any): RegisteredModel => ({
  name: data.name,
  latestVersion: data.latest_version ?? 0,
  aliases: new Map((data.aliases ?? []).map((item: { alias: string; version: number }) => [item.alias, item.version])),
  tags: data.tags ?? {},
  description: data.description,
  createdAt: data.created_at,
  updatedAt: data.updated_at,
});

const eventFrom = (data: any): AliasEvent => ({
  alias: data.alias,
  change: data.change,
  fromVersion: data.from_version,
  toVersion: data.to_version,
  at: data.at,
  by: data.by?.token_id,
});

export class ModelRegistry {
  readonly transport: Transport;
  private readonly uploadConcurrency: number;

  constructor(options: RegistryOptions = {}) {
    const endpoint = options.endpoint ?? process.env.STRATUS_ENDPOINT;
    const token = options.token ?? process.env.STRATUS_TOKEN;
    if (!endpoint) throw new Error('no endpoint: pass endpoint or set STRATUS_ENDPOINT');
    if (!token) throw new Error('no token: pass token or set STRATUS_TOKEN');
    this.transport = new Transport(endpoint, token, options.timeoutMs ?? 30_000, options.retry ?? defaultRetry);
    this.uploadConcurrency = options.uploadConcurrency ?? 4;
  }

  // ----- registered models -----

  async createModel(name: string, options: { description?: string; tags?: Record<string, string> } = {}) {
    const body = { name, ...options };
    return modelFrom(await this.transport.json('POST', '/models', { body, idempotent: false }));
  }

  async getModel(name: string): Promise<RegisteredModel> {
    return modelFrom(await this.transport.json('GET', `/models/${q(name)}`));
  }

  /** Models in name order; `nameContains` ignores case, `tags` must all match. */
  async *models(
    options: { namePrefix?: string; nameContains?: string; tags?: Record<string, string> } = {},
  ): AsyncGenerator<RegisteredModel> {
    const query: Record<string, string | number | undefined> = {
      name_prefix: options.namePrefix,
      name_contains: options.nameContains,
      max_results: 100,
    };
    for (const [key, value] of Object.entries(options.tags ?? {})) query[`tag.${key}`] = value;
    for await (const item of this.transport.pages('/models', 'models', query)) yield modelFrom(item);
  }

  /** Renames, changes the description, sets tags (null deletes one). */
  async updateModel(
    name: string,
    changes: { newName?: string; description?: string | null; tags?: Record<string, string | null> },
  ): Promise<RegisteredModel> {
    const body = { new_name: changes.newName, description: changes.description, tags: changes.tags };
    return modelFrom(await this.transport.json('PATCH', `/models/${q(name)}`, { body }));
  }

  /** Deletes the model, its versions and its alias history (admin token). */
  async deleteModel(name: string): Promise<void> {
    await this.transport.request('DELETE', `/models/${q(name)}`);
  }

  // ----- versions -----

  /**
   * Registers the next version of `modelName` (created if needed) from a run's
   * artifact or folder at `modelPath`. If the run has nothing there but
   * `modelPath` is a local file or directory, it is uploaded to the run first.
   */
  async registerModel(modelName: string, modelPath: string, options: RegisterOptions = {}): Promise<ModelVersion> {
    const runId = options.runId ?? (options.metadata?.run_id as string | undefined);
    if (!runId) throw new Error('no run: pass runId or metadata.run_id');
    await this.ensureModel(modelName);
    const local = await stat(modelPath).catch(() => undefined);
    const artifactPath = local ? artifactPathFor(modelPath) : modelPath.replace(/^\/+|\/+$/g, '');
    const body = {
      run_id: runId,
      artifact_path: artifactPath,
      metadata: options.metadata,
      description: options.description,
      tags: options.tags,
    };
    const path = `/models/${q(modelName)}/versions`;
    try {
      return versionFrom(await this.transport.json('POST', path, { body, idempotent: false }));
    } catch (error) {
      if (!(error instanceof StratusError) || error.code !== 'artifact.not_found' || !local) throw error;
    }
    await this.upload(runId, modelPath, artifactPath, local.isDirectory(), options.artifactType ?? 'model');
    return versionFrom(await this.transport.json('POST', path, { body, idempotent: false }));
  }

  /** A version by number, alias or `"latest"`. */
  async getModelVersion(name: string, ref: VersionRef): Promise<ModelVersion> {
    return versionFrom(await this.transport.json('GET', await this.versionPath(name, ref)));
  }

  /** Newest first. */
  async *modelVersions(name: string): AsyncGenerator<ModelVersion> {
    for await (const item of this.transport.pages(`/models/${q(name)}/versions`, 'versions', { max_results: 100 })) {
      yield versionFrom(item);
    }
  }

  async updateModelVersion(
    name: string,
    version: number,
    changes: { description?: string | null; tags?: Record<string, string | null> },
  ): Promise<ModelVersion> {
    const path = `/models/${q(name)}/versions/${version}`;
    return versionFrom(await this.transport.json('PATCH', path, { body: changes }));
  }

  /** Deletes a version (admin token); aliases on it are removed, its number is never reused. */
  async deleteModelVersion(name: string, version: number): Promise<void> {
    await this.transport.request('DELETE', `/models/${q(name)}/versions/${version}`);
  }

  // ----- aliases -----

  async setAlias(name: string, alias: string, version: number): Promise<RegisteredModel> {
    const path = `/models/${q(name)}/aliases/${q(alias)}`;
    return modelFrom(await this.transport.json('PUT', path, { body: { version } }));
  }

  async deleteAlias(name: string, alias: string): Promise<void> {
    await this.transport.request('DELETE', `/models/${q(name)}/aliases/${q(alias)}`);
  }

  /** Alias moves, newest first; `until` (epoch ms) keeps only moves up to then. */
  async *aliasHistory(name: string, options: { alias?: string; until?: number } = {}): AsyncGenerator<AliasEvent> {
    const query = { alias: options.alias, until: options.until, max_results: 100 };
    for await (const item of this.transport.pages(`/models/${q(name)}/alias-history`, 'events', query))
      yield eventFrom(item);
  }

  // ----- files -----

  /**
   * Downloads a version's files into the directory `destination`, checking each
   * file's size and SHA-256; resolves to the file (one-file versions) or the directory.
   */
  async download(name: string, ref: VersionRef = 'latest', destination = '.'): Promise<string> {
    const version = await this.getModelVersion(name, ref);
    const links = await this.transport.json<{
      files: Array<{ path: string; url: string; size_bytes: number; sha256: string }>;
    }>('GET', `/models/${q(name)}/versions/${version.version}/download`);
    await mkdir(destination, { recursive: true });
    const root = await realpath(destination);
    const written: string[] = [];
    for (const file of links.files) {
      const target = resolve(root, ...file.path.split('/'));
      if (relative(root, target).startsWith('..') || !target.startsWith(root + sep)) {
        throw new StratusError(
          undefined,
          'model_version.invalid_path',
          `refusing to write ${file.path} outside ${root}`,
        );
      }
      await mkdir(dirname(target), { recursive: true });
      await this.fetchVerified(file.url, target, file.size_bytes, file.sha256);
      written.push(target);
    }
    return version.sourceKind === 'file' && written.length === 1 ? (written[0] as string) : root;
  }

  private async fetchVerified(url: string, target: string, size: number, sha256: string): Promise<void> {
    const response = await this.transport.withRetries(() => exchange(url, { method: 'GET' }, this.transport.timeoutMs));
    if (!response.body) throw await errorFromResponse(response);
    const hash = createHash('sha256');
    let count = 0;
    const meter = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        hash.update(chunk);
        count += chunk.length;
        callback(null, chunk);
      },
    });
    const partial = `${target}.part`;
    try {
      await pipeline(Readable.fromWeb(response.body as WebReadableStream), meter, createWriteStream(partial));
    } catch (error) {
      await rm(partial, { force: true });
      throw error;
    }
    const digest = hash.digest('hex');
    if (count !== size || digest !== sha256) {
      await rm(partial, { force: true });
      throw new StratusError(
        undefined,
        'model_version.checksum_mismatch',
        `${target}: got ${count} bytes with SHA-256 ${digest}; the version recorded ${size} bytes with SHA-256 ${sha256}`,
      );
    }
    await rename(partial, target);
  }

  // ----- helpers -----

  private async versionPath(name: string, ref: VersionRef): Promise<string> {
    const base = `/models/${q(name)}`;
    if (typeof ref === 'number' || /^[1-9]\d*$/.test(ref)) return `${base}/versions/${Number(ref)}`;
    if (ref === 'latest') {
      for await (const newest of this.modelVersions(name)) return `${base}/versions/${newest.version}`;
      throw new StratusError(404, 'model_version.not_found', `registered model '${name}' has no versions`);
    }
    return `${base}/aliases/${q(ref)}`;
  }

  private async ensureModel(name: string): Promise<void> {
    try {
      await this.getModel(name);
    } catch (error) {
      if (!(error instanceof StratusError) || error.status !== 404) throw error;
      await this.createModel(name).catch((created: unknown) => {
        // Created by someone else meanwhile: that is what we wanted.
        if (!(created instanceof StratusError) || created.code !== 'registered_model.exists') throw created;
      });
    }
  }

  private async upload(
    runId: string,
    localPath: string,
    artifactPath: string,
    isDirectory: boolean,
    type: ArtifactType,
  ) {
    const files: Array<[string, string]> = [];
    if (!isDirectory) files.push([localPath, artifactPath]);
    else {
      for (const entry of await readdir(localPath, { recursive: true, withFileTypes: true })) {
        if (!entry.isFile()) continue;
        const full = join(entry.parentPath, entry.name);
        files.push([full, `${artifactPath}/${relative(localPath, full).split(sep).join('/')}`]);
      }
      files.sort(([, a], [, b]) => (a < b ? -1 : 1));
    }
    for (const [full, path] of files) {
      await uploadArtifact(this.transport, runId, full, {
        artifactPath: path,
        artifactType: type,
        concurrency: this.uploadConcurrency,
      });
    }
  }
}
