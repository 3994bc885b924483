import {
  BatchGetCommand,
  BatchWriteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  type QueryCommandInput,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import {
  type Actor,
  type AliasChange,
  type AliasEvent,
  type ModelVersion,
  type ModelVersionFile,
  type ModelStage,
  type ModelVersionSource,
  type RegisteredModel,
  registryLimits,
  sourceRunOf,
  versionRef,
} from '../domain/registry.ts';
import type { Page, Tags } from '../domain/types.ts';
import { ConflictError, NotFoundError } from '../errors.ts';
import { conditionFailedItem } from './dynamo-errors.ts';
import {
  aliasEventKey,
  loggedModelKey,
  loggedModelsByExperimentPartition,
  aliasHistoryPartition,
  aliasHistoryUntil,
  artifactKey,
  entityTypes,
  modelNameKey,
  modelNameOfUpdateKey,
  updateGroupLength,
  modelsByNameKey,
  modelsByNamePartition,
  modelsByUpdateKey,
  modelsByUpdatePartition,
  modelVersionsByUpdateKey,
  modelVersionsByUpdatePartition,
  modelVersionKey,
  modelVersionSortPrefix,
  modelVersionsByRunKey,
  modelVersionsByRunPartition,
  modelVersionsPartition,
  type PrimaryKey,
  registeredModelKey,
  runKey,
} from './keys.ts';
import { listedEntryBytes } from '../domain/answer-size.ts';
import { queryAllItems, queryPage } from './query-page.ts';
import { indexPosition, logicalIndexes } from './table-definition.ts';
import { sendTransaction } from './transactions.ts';
import { cursorAt, type IndexEntry, type RankedEntry, readUpdateOrdered, type TieKey } from './update-ordered-page.ts';

/**
 * Registered models, their versions and alias history, in the single table
 * (layout in docs/data-model.md and docs/registry.md).
 *
 * Maps keyed by user-chosen strings are stored as lists of pairs: DynamoDB's
 * unmarshalling assigns map keys as plain-object properties, where a tag or
 * alias called `__proto__` would silently vanish. Changes to a model's tags,
 * aliases, description or name are conditional on its `revision`, so counts and
 * byte budgets hold exactly under concurrent writers and a race is retried,
 * never half-applied. Registration is conditional on `latestVersion` instead,
 * so registering does not contend with alias moves.
 */

type TagPairs = [string, string][];

interface ModelItem {
  modelId: string;
  name: string;
  description?: string;
  tags?: TagPairs;
  aliases?: [string, number][];
  latestVersion: number;
  revision: number;
  createdAt: number;
  updatedAt: number;
  deleting?: boolean;
}

interface VersionItem {
  modelId: string;
  modelName: string;
  version: number;
  source: ModelVersionSource;
  description?: string;
  tags?: TagPairs;
  metadataJson?: string;
  files: ModelVersionFile[];
  aliases?: Set<string>;
  /** Absent until a version is moved out of stage None. */
  stage?: ModelStage;
  revision: number;
  createdAt: number;
  updatedAt: number;
  createdBy: Actor;
}

interface AliasEventItem {
  alias: string;
  change: AliasChange;
  fromVersion?: number;
  toVersion?: number;
  at: number;
  by: Actor;
}

/** A model as read, with what its conditional writes compare against. */
export interface StoredModel extends RegisteredModel {
  revision: number;
  /** A delete was started and not finished: the model is gone for everyone but the delete's retry. */
  deleting: boolean;
}

export interface StoredModelVersion extends ModelVersion {
  revision: number;
}

const tagsFromPairs = (pairs: TagPairs | undefined): Tags => {
  const tags: Tags = Object.create(null);
  for (const [key, value] of pairs ?? []) tags[key] = value;
  return tags;
};
const tagsToPairs = (tags: Tags): TagPairs => Object.entries(tags);

const toModel = (item: ModelItem): StoredModel => ({
  modelId: item.modelId,
  name: item.name,
  description: item.description,
  tags: tagsFromPairs(item.tags),
  // In name order, as a version's are (and as MLflow's server lists them), not the order they were set in.
  aliases: new Map([...(item.aliases ?? [])].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
  latestVersion: item.latestVersion,
  createdAt: item.createdAt,
  updatedAt: item.updatedAt,
  revision: item.revision,
  deleting: item.deleting === true,
});

const toVersion = (item: VersionItem): StoredModelVersion => ({
  modelId: item.modelId,
  modelName: item.modelName,
  version: item.version,
  source: item.source,
  description: item.description,
  tags: tagsFromPairs(item.tags),
  metadata: item.metadataJson === undefined ? undefined : (JSON.parse(item.metadataJson) as Record<string, unknown>),
  files: item.files,
  aliases: [...(item.aliases ?? [])].sort(),
  stage: item.stage ?? 'None',
  createdAt: item.createdAt,
  updatedAt: item.updatedAt,
  createdBy: item.createdBy,
  revision: item.revision,
});

const toAliasEvent = (item: AliasEventItem): AliasEvent => ({
  alias: item.alias,
  change: item.change,
  fromVersion: item.fromVersion,
  toVersion: item.toVersion,
  at: item.at,
  by: item.by,
});

/** A conditional write lost to another writer; the use case reads again and retries. */
export class RaceLostError extends Error {
  constructor() {
    super('the model changed while this request was being applied');
    this.name = 'RaceLostError';
  }
}

export interface ListModelsQuery {
  /** Name order, Z to A. */
  descending?: boolean;
  namePrefix: string | undefined;
  /** Matched case-insensitively against the name. */
  nameContains: string | undefined;
  tags: Tags;
  limit: number;
  pageToken: string | undefined;
}

/**
 * A list by time of last change (MLflow's `last_updated_timestamp`), and how
 * ties in the same millisecond are broken: by name, then (versions) by number.
 */
export interface UpdateOrder {
  newestFirst: boolean;
  nameAscending: boolean;
  versionAscending: boolean;
  /** Versions: ties by number before name (MLflow's clauses in that order). */
  versionBeforeName?: boolean;
}

/** A read of a by-update list: rows in order, and whether entries follow the last. */
export interface ScanPage<T> {
  rows: ScanRow<T>[];
  more: boolean;
}

export interface ScanRow<T> {
  /** Undefined when the entry's item is gone (deleted since the index was read). */
  item: T | undefined;
  /** Its size as DynamoDB counts it: what it adds to an answer. */
  bytes: number;
  /** The token of the list from just after this row. */
  cursor: () => Promise<string>;
}

export interface NewVersion {
  version: ModelVersion;
  /** The run artifact paths the version holds; each must still be COMPLETE when the version is written. */
  artifactPaths: readonly string[];
}

export interface AliasMove {
  alias: string;
  fromVersion: number | undefined;
  toVersion: number | undefined;
  change: AliasChange;
  at: number;
  by: Actor;
  eventId: string;
}

export class ModelRegistryRepository {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** Writes the model and claims its name in one transaction: a taken name is a ConflictError. */
  async createModel(workspace: string, model: RegisteredModel): Promise<void> {
    const item: ModelItem & Record<string, unknown> = {
      ...registeredModelKey(workspace, model.modelId),
      ...modelsByNameKey(workspace, model.name),
      ...modelsByUpdateKey(workspace, model.updatedAt, model.name),
      type: entityTypes.registeredModel,
      modelId: model.modelId,
      name: model.name,
      nameLower: model.name.toLowerCase(),
      ...(model.description === undefined ? {} : { description: model.description }),
      tags: tagsToPairs(model.tags),
      aliases: [],
      latestVersion: 0,
      revision: 0,
      createdAt: model.createdAt,
      updatedAt: model.updatedAt,
    };
    const reasons = await sendTransaction(
      this.client,
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: this.tableName,
              Item: { ...modelNameKey(workspace, model.name), type: entityTypes.modelName, modelId: model.modelId },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          { Put: { TableName: this.tableName, Item: item, ConditionExpression: 'attribute_not_exists(pk)' } },
        ],
      }),
    );
    if (reasons) throw modelNameTaken(model.name);
  }

  async getModel(workspace: string, modelId: string): Promise<StoredModel | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: registeredModelKey(workspace, modelId), ConsistentRead: true }),
    );
    return Item ? toModel(Item as ModelItem) : undefined;
  }

  /** The model with this name, through its name guard (two strongly consistent reads). */
  async findModelByName(workspace: string, name: string): Promise<StoredModel | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: modelNameKey(workspace, name), ConsistentRead: true }),
    );
    if (!Item) return undefined;
    return this.getModel(workspace, (Item as { modelId: string }).modelId);
  }

  /** In name order, optionally by name prefix, name substring and tag values. */
  async listModels(workspace: string, query: ListModelsQuery): Promise<Page<StoredModel>> {
    const partition = modelsByNamePartition(workspace);
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = { ':partition': partition };
    let keyCondition = 'gsi1pk = :partition';
    if (query.namePrefix) {
      keyCondition += ' AND begins_with(gsi1sk, :prefix)';
      values[':prefix'] = query.namePrefix;
    }
    const filters = ['attribute_not_exists(deleting)'];
    if (query.nameContains) {
      filters.push('contains(nameLower, :contains)');
      values[':contains'] = query.nameContains.toLowerCase();
    }
    // Tags are a list of [key, value] pairs, so a tag filter is a contains() on that list.
    Object.entries(query.tags).forEach(([key, value], i) => {
      filters.push(`contains(tags, :t${i})`);
      values[`:t${i}`] = [key, value];
    });
    const input: Omit<QueryCommandInput, 'ExclusiveStartKey' | 'Limit'> = {
      TableName: this.tableName,
      IndexName: logicalIndexes.modelsByName,
      KeyConditionExpression: keyCondition,
      FilterExpression: filters.join(' AND '),
      ExpressionAttributeValues: values,
      ...(Object.keys(names).length ? { ExpressionAttributeNames: names } : {}),
      ScanIndexForward: query.descending !== true,
    };
    const page = await queryPage(this.client, input, {
      partition,
      boundAttribute: 'gsi1pk',
      keyAttributes: indexPosition,
      limit: query.limit,
      pageToken: query.pageToken,
    });
    return { items: page.items.map((item) => toModel(item as unknown as ModelItem)), cursor: page.cursor };
  }

  /**
   * Every model of the workspace by time of last change (models-by-update on
   * gsi2, keys only; the models are then read by key): up to `limit` rows, a
   * row's item absent when the model went away between the two reads.
   */
  async listModelsByUpdate(
    workspace: string,
    order: UpdateOrder,
    query: { limit: number; pageToken: string | undefined },
  ): Promise<ScanPage<StoredModel>> {
    const partition = modelsByUpdatePartition(workspace);
    const request = {
      tableName: this.tableName,
      indexName: logicalIndexes.modelsByUpdate,
      partition,
      binding: JSON.stringify(['modelsByUpdate', partition, order.newestFirst, order.nameAscending]),
      newestFirst: order.newestFirst,
      tieKeys: async (entries: readonly IndexEntry[]) => entries.map((entry) => [modelNameOfUpdateKey(entry.gsi2sk)]),
      compareTies: (a: TieKey, b: TieKey) => compareText(String(a[0]), String(b[0])) * (order.nameAscending ? 1 : -1),
      limit: query.limit,
      pageToken: query.pageToken,
    };
    const { ranked, more } = await readUpdateOrdered(this.client, request);
    const items = await this.getItems(ranked.map(({ entry }) => ({ pk: entry.pk, sk: entry.sk })));
    return this.scanRows(request, ranked, more, (entry) => {
      const item = items.get(itemId(entry));
      return item && item.deleting !== true ? toModel(item as unknown as ModelItem) : undefined;
    });
  }

  /**
   * Every version of the workspace by time of last change
   * (model-versions-by-update on gsi2), with its model's current name: a
   * version item keeps the name it was registered under, so the models of a
   * page are read too (one GetItem each), and ties are ordered by those names.
   * Versions of a model being deleted are left out.
   */
  async listVersionsByUpdate(
    workspace: string,
    order: UpdateOrder,
    query: { limit: number; pageToken: string | undefined },
  ): Promise<ScanPage<StoredModelVersion>> {
    const partition = modelVersionsByUpdatePartition(workspace);
    const names = new Map<string, Promise<string | undefined>>();
    const nameOf = (modelId: string) => {
      let found = names.get(modelId);
      if (!found) {
        found = this.getModel(workspace, modelId).then((model) => (model && !model.deleting ? model.name : undefined));
        names.set(modelId, found);
      }
      return found;
    };
    const request = {
      tableName: this.tableName,
      indexName: logicalIndexes.modelVersionsByUpdate,
      partition,
      binding: JSON.stringify([
        'modelVersionsByUpdate',
        partition,
        order.newestFirst,
        order.nameAscending,
        order.versionAscending,
        order.versionBeforeName === true,
      ]),
      newestFirst: order.newestFirst,
      tieKeys: (entries: readonly IndexEntry[]) =>
        Promise.all(
          entries.map(async (entry) => {
            const { modelId, version } = versionOfUpdateKey(entry.gsi2sk);
            return [(await nameOf(modelId)) ?? '', version];
          }),
        ),
      compareTies: (a: TieKey, b: TieKey) => {
        const byName = compareText(String(a[0]), String(b[0])) * (order.nameAscending ? 1 : -1);
        const byVersion = (Number(a[1]) - Number(b[1])) * (order.versionAscending ? 1 : -1);
        return order.versionBeforeName ? byVersion || byName : byName || byVersion;
      },
      limit: query.limit,
      pageToken: query.pageToken,
    };
    const { ranked, more } = await readUpdateOrdered(this.client, request);
    const items = await this.getItems(ranked.map(({ entry }) => ({ pk: entry.pk, sk: entry.sk })));
    const current = new Map<string, string | undefined>();
    for (const { entry } of ranked) {
      const { modelId } = versionOfUpdateKey(entry.gsi2sk);
      if (!current.has(modelId)) current.set(modelId, await nameOf(modelId));
    }
    return this.scanRows(request, ranked, more, (entry) => {
      const item = items.get(itemId(entry));
      if (!item) return undefined;
      const version = toVersion(item as unknown as VersionItem);
      const modelName = current.get(version.modelId);
      return modelName === undefined ? undefined : { ...version, modelName };
    });
  }

  /** The rows of a by-update read: each entry's item (absent: gone since), its answer's bound, and the token after it. */
  private async scanRows<T extends object>(
    request: { binding: string; partition: string },
    ranked: readonly RankedEntry[],
    more: boolean,
    read: (entry: IndexEntry) => T | undefined,
  ): Promise<ScanPage<T>> {
    const rows = ranked.map((candidate) => {
      const item = read(candidate.entry);
      return {
        item,
        bytes: item === undefined ? 0 : listedEntryBytes(item),
        cursor: () => cursorAt(request, candidate),
      };
    });
    return { rows, more };
  }

  /** Items by key in BatchGetItem calls of up to 100 keys, by `itemId`; absent ones are left out. */
  private async getItems(keys: readonly PrimaryKey[]): Promise<Map<string, Record<string, unknown>>> {
    const found = new Map<string, Record<string, unknown>>();
    for (let start = 0; start < keys.length; start += batchGetKeys) {
      let pending: PrimaryKey[] = keys.slice(start, start + batchGetKeys);
      for (let attempt = 1; pending.length > 0; attempt++) {
        if (attempt > batchGetAttempts) throw new Error('DynamoDB kept registry keys unprocessed; giving up');
        if (attempt > 1) await new Promise((resolve) => setTimeout(resolve, 2 ** attempt * 10 * Math.random()));
        const result = await this.client.send(
          new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: pending, ConsistentRead: true } } }),
        );
        for (const item of result.Responses?.[this.tableName] ?? []) found.set(itemId(item as PrimaryKey), item);
        pending = (result.UnprocessedKeys?.[this.tableName]?.Keys ?? []) as PrimaryKey[];
      }
    }
    return found;
  }

  /** Replaces the description and/or tags, if the model is still at `model.revision`. */
  async updateModel(
    workspace: string,
    model: StoredModel,
    changes: { description?: string | undefined; tags?: Tags },
    now: number,
  ): Promise<void> {
    await this.updateIfUnchanged(
      registeredModelKey(workspace, model.modelId),
      fieldChanges(model.revision, changes, now, modelsByUpdateKey(workspace, now, model.name)),
    );
  }

  /** Moves the name guard and renames the model in one transaction; the new name must be free. */
  async renameModel(workspace: string, model: StoredModel, newName: string, now: number): Promise<void> {
    const reasons = await sendTransaction(
      this.client,
      new TransactWriteCommand({
        TransactItems: [
          {
            Delete: {
              TableName: this.tableName,
              Key: modelNameKey(workspace, model.name),
              ConditionExpression: 'modelId = :modelId',
              ExpressionAttributeValues: { ':modelId': model.modelId },
            },
          },
          {
            Put: {
              TableName: this.tableName,
              Item: { ...modelNameKey(workspace, newName), type: entityTypes.modelName, modelId: model.modelId },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          {
            Update: {
              TableName: this.tableName,
              Key: registeredModelKey(workspace, model.modelId),
              UpdateExpression:
                'SET #name = :name, nameLower = :lower, gsi1sk = :name, gsi2pk = :updates, gsi2sk = :updated, revision = :next, updatedAt = :now',
              ConditionExpression: 'revision = :revision AND attribute_not_exists(deleting)',
              ExpressionAttributeNames: { '#name': 'name' },
              ExpressionAttributeValues: {
                ':name': newName,
                ':lower': newName.toLowerCase(),
                ':updates': modelsByUpdatePartition(workspace),
                ':updated': modelsByUpdateKey(workspace, now, newName).gsi2sk,
                ':revision': model.revision,
                ':next': model.revision + 1,
                ':now': now,
              },
            },
          },
        ],
      }),
    );
    if (!reasons) return;
    if (reasons[1]?.Code === 'ConditionalCheckFailed') throw modelNameTaken(newName);
    throw new RaceLostError();
  }

  /**
   * Starts a delete: from here on the model is gone for readers and writers
   * (every write is conditional on `deleting` being absent), while the delete
   * removes its versions and history and finally the model and its name.
   */
  async markModelDeleting(workspace: string, model: StoredModel): Promise<void> {
    if (model.deleting) return;
    await this.updateIfUnchanged(registeredModelKey(workspace, model.modelId), {
      expression: 'SET deleting = :true',
      values: { ':true': true, ':revision': model.revision },
    });
  }

  /** The last step of a delete: the model item and its name guard. */
  async removeModel(workspace: string, model: StoredModel): Promise<void> {
    await sendTransaction(
      this.client,
      new TransactWriteCommand({
        TransactItems: [
          {
            Delete: {
              TableName: this.tableName,
              Key: modelNameKey(workspace, model.name),
              ConditionExpression: 'attribute_not_exists(pk) OR modelId = :modelId',
              ExpressionAttributeValues: { ':modelId': model.modelId },
            },
          },
          { Delete: { TableName: this.tableName, Key: registeredModelKey(workspace, model.modelId) } },
        ],
      }),
    );
  }

  /**
   * Writes version `model.latestVersion + 1` in one transaction that also
   * advances the model's counter (only if no other registration advanced it
   * first: then RaceLostError, and the caller retries with the new count),
   * checks that the run still exists, and marks every artifact the version
   * holds, on the condition that it is still COMPLETE (a prompt's version has
   * neither run nor artifacts). So a number is given out
   * exactly once and only together with its version: no gaps, no repeats.
   */
  async createVersion(workspace: string, model: StoredModel, created: NewVersion): Promise<void> {
    const { version, artifactPaths } = created;
    const ref = versionRef(model.modelId, version.version);
    // A prompt version has no run: no run to check, no artifact to hold, no entry in the versions-by-run index.
    const run = sourceRunOf(version.source);
    const item: VersionItem & Record<string, unknown> = {
      ...modelVersionKey(workspace, model.modelId, version.version),
      ...(run ? modelVersionsByRunKey(workspace, run.runId, version.createdAt, model.modelId, version.version) : {}),
      ...modelVersionsByUpdateKey(workspace, version.updatedAt, model.modelId, version.version),
      type: entityTypes.modelVersion,
      modelId: model.modelId,
      modelName: version.modelName,
      version: version.version,
      source: version.source,
      ...(version.description === undefined ? {} : { description: version.description }),
      tags: tagsToPairs(version.tags),
      ...(version.metadata === undefined ? {} : { metadataJson: JSON.stringify(version.metadata) }),
      files: version.files,
      revision: 0,
      createdAt: version.createdAt,
      updatedAt: version.updatedAt,
      createdBy: version.createdBy,
    };
    const reasons = await sendTransaction(
      this.client,
      new TransactWriteCommand({
        TransactItems: [
          {
            Update: {
              TableName: this.tableName,
              Key: registeredModelKey(workspace, model.modelId),
              UpdateExpression: 'SET latestVersion = :next, updatedAt = :now, gsi2pk = :updates, gsi2sk = :updated',
              // The name too: the models-by-update key carries it, and a rename since the read would be undone.
              ConditionExpression: 'latestVersion = :current AND #name = :name AND attribute_not_exists(deleting)',
              ExpressionAttributeNames: { '#name': 'name' },
              ExpressionAttributeValues: {
                ':current': model.latestVersion,
                ':next': version.version,
                ':now': version.createdAt,
                ':name': model.name,
                ...updateKeyValues(modelsByUpdateKey(workspace, version.createdAt, model.name)),
              },
            },
          },
          { Put: { TableName: this.tableName, Item: item, ConditionExpression: 'attribute_not_exists(pk)' } },
          ...(run ? [runStillActive(this.tableName, workspace, run.runId)] : []),
          ...(run
            ? artifactPaths.map((path) => ({
                Update: {
                  TableName: this.tableName,
                  Key: artifactKey(workspace, run.runId, path),
                  UpdateExpression: 'ADD modelVersions :ref',
                  ConditionExpression: '#status = :complete',
                  ExpressionAttributeNames: { '#status': 'status' },
                  ExpressionAttributeValues: { ':ref': new Set([ref]), ':complete': 'COMPLETE' },
                },
              }))
            : []),
        ],
      }),
    );
    if (!reasons) return;
    const failed = (index: number) => reasons[index]?.Code === 'ConditionalCheckFailed';
    // A prompt version's transaction is the model and the version alone: any failure there is a race.
    if (failed(0) || failed(1) || !run) throw new RaceLostError();
    if (failed(2)) {
      throw new ConflictError('run.deleted', `run_id: run '${run.runId}' is deleted or gone; restore it first`);
    }
    const lost = artifactPaths.filter((_, index) => failed(index + 3));
    throw new ConflictError(
      'model_version.artifacts_incomplete',
      `source: the run's artifacts ${lost.map((path) => `'${path}'`).join(', ')} are no longer COMPLETE`,
    );
  }

  async getVersion(workspace: string, modelId: string, version: number): Promise<StoredModelVersion | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: modelVersionKey(workspace, modelId, version),
        ConsistentRead: true,
      }),
    );
    return Item ? toVersion(Item as VersionItem) : undefined;
  }

  /**
   * Several versions (of one model or many) in BatchGetItem calls of up to 100
   * keys; the absent ones (deleted meanwhile) are left out, in no particular order.
   */
  async getVersions(
    workspace: string,
    refs: readonly { modelId: string; version: number }[],
  ): Promise<StoredModelVersion[]> {
    const items = await this.getItems(refs.map((ref) => modelVersionKey(workspace, ref.modelId, ref.version)));
    return [...items.values()].map((item) => toVersion(item as unknown as VersionItem));
  }

  /** The highest version number a model has now (0: none); deleted versions do not count. */
  async newestVersion(workspace: string, modelId: string): Promise<number> {
    const { Items } = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :partition AND begins_with(sk, :versions)',
        ProjectionExpression: '#version',
        ExpressionAttributeNames: { '#version': 'version' },
        ExpressionAttributeValues: {
          ':partition': modelVersionsPartition(workspace, modelId),
          ':versions': modelVersionSortPrefix,
        },
        ScanIndexForward: false,
        Limit: 1,
        ConsistentRead: true,
      }),
    );
    return (Items?.[0] as Pick<VersionItem, 'version'> | undefined)?.version ?? 0;
  }

  /** A model's versions, newest first by default. */
  async listVersions(
    workspace: string,
    modelId: string,
    query: { limit: number; pageToken: string | undefined; oldestFirst?: boolean },
  ): Promise<Page<StoredModelVersion>> {
    const partition = modelVersionsPartition(workspace, modelId);
    const page = await queryPage(
      this.client,
      {
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :partition AND begins_with(sk, :versions)',
        ExpressionAttributeValues: { ':partition': partition, ':versions': modelVersionSortPrefix },
        ScanIndexForward: query.oldestFirst === true,
        ConsistentRead: true,
      },
      { partition, boundAttribute: 'pk', keyAttributes: ['pk', 'sk'], limit: query.limit, pageToken: query.pageToken },
    );
    return { items: page.items.map((item) => toVersion(item as unknown as VersionItem)), cursor: page.cursor };
  }

  /** The run an MLflow logged model came from (its files are that run's artifacts), if the model exists. */
  async loggedModelSourceRun(workspace: string, modelId: string): Promise<string | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: loggedModelKey(workspace, modelId),
        ProjectionExpression: 'sourceRunId, lifecycleStage',
      }),
    );
    // A deleted model is not there to register, as MLflow's server cannot find it either.
    return typeof Item?.sourceRunId === 'string' && Item.lifecycleStage !== 'deleted' ? Item.sourceRunId : undefined;
  }

  /**
   * The newest logged model of `runId` named `name`, if any: MLflow 3's
   * `log_model(name=…)` keeps a model's files under `models/<id>/`, so a
   * `runs:/<run>/<name>` source means that model's folder (as MLflow's client
   * resolves it for `register_model`).
   */
  async newestRunLoggedModelNamed(
    workspace: string,
    experimentId: string,
    runId: string,
    name: string,
  ): Promise<string | undefined> {
    for await (const item of queryAllItems(this.client, {
      TableName: this.tableName,
      IndexName: logicalIndexes.loggedModelsByExperiment,
      KeyConditionExpression: 'gsi1pk = :partition',
      FilterExpression: '#name = :name AND sourceRunId = :run',
      ExpressionAttributeNames: { '#name': 'name' },
      ExpressionAttributeValues: {
        ':partition': loggedModelsByExperimentPartition(workspace, experimentId),
        ':name': name,
        ':run': runId,
      },
      ProjectionExpression: 'modelId',
      ScanIndexForward: false,
    })) {
      if (typeof item.modelId === 'string') return item.modelId;
    }
    return undefined;
  }

  /** Every version of a model with its stage, oldest first (a projection: no files or tags). */
  async versionStages(
    workspace: string,
    modelId: string,
  ): Promise<{ version: number; stage: ModelStage; revision: number }[]> {
    const found: { version: number; stage: ModelStage; revision: number }[] = [];
    for await (const item of queryAllItems(this.client, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :partition AND begins_with(sk, :versions)',
      ProjectionExpression: '#version, #stage, #revision',
      ExpressionAttributeNames: { '#version': 'version', '#stage': 'stage', '#revision': 'revision' },
      ExpressionAttributeValues: {
        ':partition': modelVersionsPartition(workspace, modelId),
        ':versions': modelVersionSortPrefix,
      },
      ConsistentRead: true,
    })) {
      const { version, stage, revision } = item as Pick<VersionItem, 'version' | 'stage' | 'revision'>;
      found.push({ version, stage: stage ?? 'None', revision });
    }
    return found;
  }

  /**
   * Moves a version to `stage` and, in the same transactions, the versions in
   * `archive` to Archived, each only if still at the revision it was read at
   * (a race is retried by the use case). The target goes in the last transaction,
   * so a retry after a partial failure finds what is left to archive.
   */
  async transitionStage(
    workspace: string,
    target: StoredModelVersion,
    stage: ModelStage,
    archive: readonly { version: number; revision: number }[],
    now: number,
  ): Promise<void> {
    const update = (version: number, revision: number, to: ModelStage) => ({
      Update: {
        TableName: this.tableName,
        Key: modelVersionKey(workspace, target.modelId, version),
        UpdateExpression:
          'SET #stage = :stage, revision = :next, updatedAt = :now, gsi2pk = :updates, gsi2sk = :updated',
        ConditionExpression: 'revision = :revision',
        ExpressionAttributeNames: { '#stage': 'stage' },
        ExpressionAttributeValues: {
          ':stage': to,
          ':revision': revision,
          ':next': revision + 1,
          ':now': now,
          ...updateKeyValues(modelVersionsByUpdateKey(workspace, now, target.modelId, version)),
        },
      },
    });
    const archiving = archive.map((other) => update(other.version, other.revision, 'Archived'));
    const batches: (typeof archiving)[] = [];
    const lastBatch = maxTransactionItems - 1;
    while (archiving.length > lastBatch) batches.push(archiving.splice(0, maxTransactionItems));
    batches.push([...archiving, update(target.version, target.revision, stage)]);
    for (const batch of batches) {
      const reasons = await sendTransaction(this.client, new TransactWriteCommand({ TransactItems: batch }));
      if (reasons) throw new RaceLostError();
    }
  }

  /** Every version of a model, oldest first, read without page tokens (for deleting the model). */
  async *allVersions(workspace: string, modelId: string): AsyncGenerator<StoredModelVersion> {
    for await (const item of queryAllItems(this.client, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :partition AND begins_with(sk, :versions)',
      ExpressionAttributeValues: {
        ':partition': modelVersionsPartition(workspace, modelId),
        ':versions': modelVersionSortPrefix,
      },
      ConsistentRead: true,
    })) {
      yield toVersion(item as unknown as VersionItem);
    }
  }

  /** The versions registered from one run (an index: a version appears within a second or so). */
  async listVersionsByRun(
    workspace: string,
    runId: string,
    query: { limit: number; pageToken: string | undefined; oldestFirst?: boolean },
  ): Promise<Page<StoredModelVersion>> {
    const partition = modelVersionsByRunPartition(workspace, runId);
    const page = await queryPage(
      this.client,
      {
        TableName: this.tableName,
        IndexName: logicalIndexes.modelVersionsByRun,
        KeyConditionExpression: 'gsi1pk = :partition',
        ExpressionAttributeValues: { ':partition': partition },
        ScanIndexForward: query.oldestFirst === true,
      },
      {
        partition,
        boundAttribute: 'gsi1pk',
        keyAttributes: indexPosition,
        limit: query.limit,
        pageToken: query.pageToken,
      },
    );
    return { items: page.items.map((item) => toVersion(item as unknown as VersionItem)), cursor: page.cursor };
  }

  /** Replaces a version's description and/or tags, if it is still at `version.revision`. */
  async updateVersion(
    workspace: string,
    version: StoredModelVersion,
    changes: { description?: string | undefined; tags?: Tags },
    now: number,
  ): Promise<void> {
    await this.updateIfUnchanged(
      modelVersionKey(workspace, version.modelId, version.version),
      fieldChanges(
        version.revision,
        changes,
        now,
        modelVersionsByUpdateKey(workspace, now, version.modelId, version.version),
      ),
    );
  }

  /**
   * Points, moves or removes an alias and appends the move to the history, in
   * one transaction: the model's alias list (if the model is still at its
   * revision), the alias sets of the versions it leaves and joins (the one it
   * joins must exist), and the history event. The history is therefore exactly
   * the sequence of moves, whoever raced whom.
   */
  async moveAlias(
    workspace: string,
    model: StoredModel,
    aliases: ReadonlyMap<string, number>,
    move: AliasMove,
  ): Promise<void> {
    const aliasSet = new Set([move.alias]);
    const items: NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']> = [
      {
        Update: {
          TableName: this.tableName,
          Key: registeredModelKey(workspace, model.modelId),
          UpdateExpression:
            'SET aliases = :aliases, revision = :next, updatedAt = :now, gsi2pk = :updates, gsi2sk = :updated',
          ConditionExpression: 'revision = :revision AND attribute_not_exists(deleting)',
          ExpressionAttributeValues: {
            ':aliases': [...aliases],
            ':revision': model.revision,
            ':next': model.revision + 1,
            ':now': move.at,
            ...updateKeyValues(modelsByUpdateKey(workspace, move.at, model.name)),
          },
        },
      },
    ];
    if (move.toVersion !== undefined) {
      items.push({
        Update: {
          TableName: this.tableName,
          Key: modelVersionKey(workspace, model.modelId, move.toVersion),
          UpdateExpression: 'ADD aliases :alias',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':alias': aliasSet },
        },
      });
    }
    if (move.fromVersion !== undefined && move.fromVersion !== move.toVersion) {
      items.push({
        Update: {
          TableName: this.tableName,
          Key: modelVersionKey(workspace, model.modelId, move.fromVersion),
          UpdateExpression: 'DELETE aliases :alias',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':alias': aliasSet },
        },
      });
    }
    const event: AliasEventItem & Record<string, unknown> = {
      ...aliasEventKey(workspace, model.modelId, move.at, move.eventId),
      type: entityTypes.aliasEvent,
      alias: move.alias,
      change: move.change,
      ...(move.fromVersion === undefined ? {} : { fromVersion: move.fromVersion }),
      ...(move.toVersion === undefined ? {} : { toVersion: move.toVersion }),
      at: move.at,
      by: move.by,
    };
    items.push({ Put: { TableName: this.tableName, Item: event, ConditionExpression: 'attribute_not_exists(pk)' } });
    const reasons = await sendTransaction(this.client, new TransactWriteCommand({ TransactItems: items }));
    if (!reasons) return;
    if (move.toVersion !== undefined && reasons[1]?.Code === 'ConditionalCheckFailed') {
      throw new NotFoundError('model_version', `${model.name}/${move.toVersion}`);
    }
    throw new RaceLostError();
  }

  /**
   * Deletes a version that no alias points at (the caller moved them away
   * first; an alias set meanwhile makes this a RaceLostError) and releases the
   * artifacts it held, in one transaction. Its number is never given out again.
   * `withAliases` is for a model being deleted, whose aliases can no longer move.
   */
  async deleteVersion(
    workspace: string,
    model: StoredModel,
    version: StoredModelVersion,
    now: number,
    options: { withAliases: boolean } = { withAliases: false },
  ): Promise<void> {
    const ref = new Set([versionRef(model.modelId, version.version)]);
    let files = version.files;
    // At most twice: the second time without the artifact records that were found missing.
    for (let attempt = 0; ; attempt++) {
      const reasons = await this.sendVersionDelete(workspace, model, version, files, ref, now, options.withAliases);
      if (!reasons) return;
      const failed = (index: number) => reasons[index]?.Code === 'ConditionalCheckFailed';
      const gone = files.filter((_, index) => failed(index + 2));
      if (failed(0) || failed(1) || gone.length === 0 || attempt > 0) throw new RaceLostError();
      // A held artifact cannot be purged, so this is a record removed by hand: release the others.
      files = files.filter((file) => !gone.includes(file));
    }
  }

  private sendVersionDelete(
    workspace: string,
    model: StoredModel,
    version: StoredModelVersion,
    files: readonly ModelVersionFile[],
    ref: Set<string>,
    now: number,
    withAliases: boolean,
  ) {
    const run = sourceRunOf(version.source);
    return sendTransaction(
      this.client,
      new TransactWriteCommand({
        TransactItems: [
          {
            Delete: {
              TableName: this.tableName,
              Key: modelVersionKey(workspace, model.modelId, version.version),
              ConditionExpression: withAliases
                ? 'attribute_exists(pk)'
                : 'attribute_exists(pk) AND attribute_not_exists(aliases)',
            },
          },
          {
            Update: {
              TableName: this.tableName,
              Key: registeredModelKey(workspace, model.modelId),
              UpdateExpression: 'SET updatedAt = :now, gsi2pk = :updates, gsi2sk = :updated',
              // The name too, as for a registration: the models-by-update key carries it.
              ConditionExpression: '#name = :name',
              ExpressionAttributeNames: { '#name': 'name' },
              ExpressionAttributeValues: {
                ':now': now,
                ':name': model.name,
                ...updateKeyValues(modelsByUpdateKey(workspace, now, model.name)),
              },
            },
          },
          ...(run
            ? files.map((file) => ({
                Update: {
                  TableName: this.tableName,
                  Key: artifactKey(workspace, run.runId, file.artifactPath),
                  UpdateExpression: 'DELETE modelVersions :ref',
                  // Without this an update would create a record for an artifact that is gone.
                  ConditionExpression: 'attribute_exists(pk)',
                  ExpressionAttributeValues: { ':ref': ref },
                },
              }))
            : []),
        ],
      }),
    );
  }

  /** A model's alias moves, newest first; optionally one alias, optionally only up to a time. */
  async aliasHistory(
    workspace: string,
    modelId: string,
    query: { alias: string | undefined; until: number | undefined; limit: number; pageToken: string | undefined },
  ): Promise<Page<AliasEvent>> {
    const partition = aliasHistoryPartition(workspace, modelId);
    const values: Record<string, unknown> = { ':partition': partition };
    let keyCondition = 'pk = :partition';
    if (query.until !== undefined) {
      keyCondition += ' AND sk <= :until';
      values[':until'] = aliasHistoryUntil(query.until);
    }
    const input: Omit<QueryCommandInput, 'ExclusiveStartKey' | 'Limit'> = {
      TableName: this.tableName,
      KeyConditionExpression: keyCondition,
      ExpressionAttributeValues: values,
      ScanIndexForward: false,
      ConsistentRead: true,
    };
    if (query.alias !== undefined) {
      input.FilterExpression = 'alias = :alias';
      values[':alias'] = query.alias;
    }
    const page = await queryPage(this.client, input, {
      partition,
      boundAttribute: 'pk',
      keyAttributes: ['pk', 'sk'],
      limit: query.limit,
      pageToken: query.pageToken,
    });
    return { items: page.items.map((item) => toAliasEvent(item as unknown as AliasEventItem)), cursor: page.cursor };
  }

  /** Removes a deleted model's alias history, 25 events a request. */
  async deleteAliasHistory(workspace: string, modelId: string): Promise<void> {
    let batch: Record<string, unknown>[] = [];
    const flush = async () => {
      let requests = batch.map((Key) => ({ DeleteRequest: { Key } }));
      batch = [];
      for (let attempt = 0; requests.length > 0; attempt++) {
        if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
        const { UnprocessedItems } = await this.client.send(
          new BatchWriteCommand({ RequestItems: { [this.tableName]: requests } }),
        );
        requests = (UnprocessedItems?.[this.tableName] ?? []) as typeof requests;
      }
    };
    for await (const item of queryAllItems(this.client, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :partition',
      ExpressionAttributeValues: { ':partition': aliasHistoryPartition(workspace, modelId) },
      ProjectionExpression: 'pk, sk',
      ConsistentRead: true,
    })) {
      batch.push({ pk: item.pk, sk: item.sk });
      if (batch.length === 25) await flush();
    }
    if (batch.length > 0) await flush();
  }

  private async updateIfUnchanged(
    key: { pk: string; sk: string },
    update: { expression: string; values: Record<string, unknown> },
  ): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: key,
          UpdateExpression: update.expression,
          ConditionExpression: 'revision = :revision AND attribute_not_exists(deleting)',
          ExpressionAttributeValues: update.values,
        }),
      );
    } catch (error) {
      if (conditionFailedItem(error) === false) throw error;
      throw new RaceLostError();
    }
  }
}

/** The update of a description and/or tags, made only at `revision`; an undefined description removes it. */
function fieldChanges(
  revision: number,
  changes: { description?: string | undefined; tags?: Tags },
  now: number,
  updateKey: { gsi2pk: string; gsi2sk: string },
): { expression: string; values: Record<string, unknown> } {
  const sets = ['revision = :next', 'updatedAt = :now', 'gsi2pk = :updates', 'gsi2sk = :updated'];
  const removes: string[] = [];
  const values: Record<string, unknown> = {
    ':revision': revision,
    ':next': revision + 1,
    ':now': now,
    ...updateKeyValues(updateKey),
  };
  if ('description' in changes) {
    if (changes.description === undefined) removes.push('description');
    else {
      sets.push('description = :description');
      values[':description'] = changes.description;
    }
  }
  if (changes.tags) {
    sets.push('tags = :tags');
    values[':tags'] = tagsToPairs(changes.tags);
  }
  return { expression: `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`, values };
}

/**
 * The values of an update that moves an item on its by-update list (gsi2). The
 * partition is set too, so an item from before these lists joins its list at
 * its first change (`npm run migrate` puts the others there).
 */
const updateKeyValues = (key: { gsi2pk: string; gsi2sk: string }) => ({
  ':updates': key.gsi2pk,
  ':updated': key.gsi2sk,
});

const itemId = (key: { pk: string; sk: string }) => `${key.pk}\u0000${key.sk}`;

/** UTF-8 byte order, as DynamoDB orders keys and SQL's binary collation orders MLflow's names. */
const compareText = (a: string, b: string) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));

/** The model and version a model-versions-by-update entry names (`<ms>#<model id>#<10 digits>`). */
function versionOfUpdateKey(gsi2sk: string): { modelId: string; version: number } {
  const rest = gsi2sk.slice(updateGroupLength);
  return { modelId: rest.slice(0, -11), version: Number(rest.slice(-10)) };
}

const modelNameTaken = (name: string) =>
  new ConflictError('registered_model.exists', `name: a registered model named '${name}' already exists`, { id: name });

/** Bounds the registry relies on: a transaction of 100 items holds the version, model, run and its files. */
/** DynamoDB's most items in one transaction. */
const maxTransactionItems = 100;
/** DynamoDB's most keys in one BatchGetItem; unprocessed keys are asked again a few times, with jitter. */
const batchGetKeys = 100;
const batchGetAttempts = 6;

export const registrationTransactionItems = 3 + registryLimits.filesPerVersion;

/** A transaction's check that a run exists and is active: a deleted run can be purged, so nothing may start holding its artifacts. */
const runStillActive = (tableName: string, workspace: string, runId: string) => ({
  ConditionCheck: {
    TableName: tableName,
    Key: runKey(workspace, runId),
    ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(lifecycleStage) OR lifecycleStage = :active)',
    ExpressionAttributeValues: { ':active': 'active' },
  },
});
