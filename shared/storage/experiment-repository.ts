import { type DynamoDBDocumentClient, GetCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Experiment, LifecycleStage, Page, Tags, ViewType } from '../domain/types.ts';
import { ConflictError, NotFoundError } from '../errors.ts';
import { limits } from '../limits.ts';
import { conditionFailedItem, refuseItemTooLarge } from './dynamo-errors.ts';
import {
  entityTypes,
  experimentKey,
  experimentNameKey,
  experimentsByCreationKey,
  experimentsByCreationPartition,
} from './keys.ts';
import { queryPage } from './query-page.ts';
import { indexPosition, logicalIndexes } from './table-definition.ts';
import { sendTransaction } from './transactions.ts';

interface ExperimentItem {
  experimentId: string;
  name: string;
  description?: string;
  tags: Tags;
  createdAt: number;
  updatedAt?: number;
  /** Absent on experiments written before soft deletion existed: they are active. */
  lifecycleStage?: LifecycleStage;
  deletedAt?: number;
  /** The name in lower case, for case-insensitive name search. */
  nameFolded?: string;
  /** Kept by run starts (experimentRunStarted) and ends (recordActivity). */
  runCount?: number;
  /**
   * Runs of it whose own stage is deleted, and runs of it purged: ADDed in the same transaction
   * as the run's stage change or purge (run-repository.ts setStage, purge-repository.ts), so
   * the experiments list shows active runs (runTally). Absent until the first such change.
   */
  deletedRuns?: number;
  purgedRuns?: number;
  /**
   * Every run of the experiment has its params in a param row: set at creation
   * since param rows exist, and by `npm run migrate` on older experiments.
   * Without it, param search also reads the older per-param index entries.
   */
  paramRows?: boolean;
  /**
   * Every run of the experiment has its param digests on bucket rows (keys.ts
   * paramBucketKey): set at creation since bucket rows exist. Without it,
   * param search also reads the per-run rows of older runs.
   */
  paramBuckets?: boolean;
  /**
   * Every metric index entry of the experiment carries every param its run
   * has (run-items.ts entryParamDigests): set at creation since entries carry
   * params, removed when a run gets params after its first metrics.
   */
  entryParams?: boolean;
  /**
   * Every run of the experiment that has MLflow inputs or outputs is marked so (Run.hasIo): set
   * at creation since marks exist, and by `npm run migrate` on older experiments. Without it, a
   * search that answers runs' inputs and outputs reads them for every run it answers.
   */
  runIoMarks?: boolean;
  /**
   * Every marked run of the experiment keeps a copy of its datasets and outputs on its run item
   * (run-io-copy.ts), or had one too large to keep: set at creation since copies exist, and by
   * `npm run migrate` on older experiments. Without it, a search reads the IO of their runs until
   * their next IO write, as it reads that of every run whose copy is not current.
   */
  runIoCopies?: boolean;
  /**
   * Every child run of the experiment has its item in the experiment's child index (keys.ts
   * childRunKey): set at creation since the index exists, and by `npm run migrate` on older
   * experiments. Without it, a search by parent reads every run of the experiment.
   */
  childIndex?: boolean;
  lastActivityAt?: number;
}

const toExperiment = (item: ExperimentItem): Experiment => ({
  experimentId: item.experimentId,
  name: item.name,
  description: item.description,
  tags: item.tags ?? {},
  createdAt: item.createdAt,
  updatedAt: item.updatedAt ?? item.createdAt,
  lifecycleStage: item.lifecycleStage ?? 'active',
  runCount: item.runCount ?? 0,
  deletedRunCount: item.deletedRuns ?? 0,
  purgedRunCount: item.purgedRuns ?? 0,
  lastActivityAt: item.lastActivityAt,
  ...(item.paramRows === true ? {} : { legacyParamIndex: true }),
  ...(item.paramBuckets === true ? {} : { perRunParamRows: true }),
  ...(item.entryParams === true ? {} : { paramsOffMetricEntries: true }),
  ...(item.runIoMarks === true ? {} : { unmarkedRunIo: true }),
  ...(item.childIndex === true ? {} : { unindexedChildren: true }),
});

/** The condition that an experiment is not deleted (`#stage` is lifecycleStage, `:deleted` 'deleted'). */
const activeStage = '(attribute_not_exists(#stage) OR #stage <> :deleted)';

/** Names are searched without regard to case. */
export const foldName = (name: string) => name.toLowerCase();

export interface ListExperimentsQuery {
  limit: number;
  pageToken: string | undefined;
  tags: Tags;
  /** Only experiments whose name contains this, in any case. */
  nameContains?: string | undefined;
  /** ACTIVE_ONLY when absent. */
  view?: ViewType | undefined;
}

/** Experiments and their unique names, in the single table. */
export class ExperimentRepository {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** Writes the experiment and claims its name in one transaction: a taken name is a ConflictError. */
  async create(workspace: string, experiment: Experiment): Promise<void> {
    const item = {
      ...experimentKey(workspace, experiment.experimentId),
      ...experimentsByCreationKey(workspace, experiment.createdAt, experiment.experimentId),
      type: entityTypes.experiment,
      experimentId: experiment.experimentId,
      name: experiment.name,
      nameFolded: foldName(experiment.name),
      description: experiment.description,
      tags: experiment.tags,
      createdAt: experiment.createdAt,
      updatedAt: experiment.updatedAt,
      lifecycleStage: experiment.lifecycleStage,
      paramRows: true,
      paramBuckets: true,
      entryParams: true,
      runIoMarks: true,
      runIoCopies: true,
      childIndex: true,
    };
    const reasons = await sendTransaction(
      this.client,
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: this.tableName,
              Item: {
                ...experimentNameKey(workspace, experiment.name),
                type: entityTypes.experimentName,
                experimentId: experiment.experimentId,
              },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          { Put: { TableName: this.tableName, Item: item, ConditionExpression: 'attribute_not_exists(pk)' } },
        ],
      }),
    ).catch((error: unknown) => {
      refuseTooLarge(error);
      throw error;
    });
    if (reasons) {
      throw new ConflictError('experiment.name_taken', `experiment_name '${experiment.name}' is already taken`, {
        id: experiment.name,
      });
    }
  }

  async get(workspace: string, experimentId: string): Promise<Experiment | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: experimentKey(workspace, experimentId) }),
    );
    return Item ? toExperiment(Item as ExperimentItem) : undefined;
  }

  async getByName(workspace: string, name: string): Promise<Experiment | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: experimentNameKey(workspace, name) }),
    );
    if (!Item) return undefined;
    return this.get(workspace, (Item as { experimentId: string }).experimentId);
  }

  /** Newest first, optionally only experiments carrying every given tag value. */
  async list(workspace: string, query: ListExperimentsQuery): Promise<Page<Experiment>> {
    const partition = experimentsByCreationPartition(workspace);
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = { ':partition': partition };
    if (Object.keys(query.tags).length) names['#tags'] = 'tags';
    const filters = Object.entries(query.tags).map(([key, value], i) => {
      names[`#t${i}`] = key;
      values[`:t${i}`] = value;
      return `#tags.#t${i} = :t${i}`;
    });
    if (query.nameContains) {
      names['#folded'] = 'nameFolded';
      values[':needle'] = foldName(query.nameContains);
      filters.push('contains(#folded, :needle)');
    }
    const view = query.view ?? 'ACTIVE_ONLY';
    if (view !== 'ALL') {
      names['#stage'] = 'lifecycleStage';
      values[':deleted'] = 'deleted';
      filters.push(
        view === 'ACTIVE_ONLY' ? '(attribute_not_exists(#stage) OR #stage <> :deleted)' : '#stage = :deleted',
      );
    }
    const page = await queryPage(
      this.client,
      {
        TableName: this.tableName,
        IndexName: logicalIndexes.experimentsByCreation,
        KeyConditionExpression: 'gsi1pk = :partition',
        ScanIndexForward: false,
        ExpressionAttributeValues: values,
        ...(filters.length ? { FilterExpression: filters.join(' AND '), ExpressionAttributeNames: names } : {}),
      },
      {
        partition,
        boundAttribute: 'gsi1pk',
        keyAttributes: indexPosition,
        limit: query.limit,
        pageToken: query.pageToken,
      },
    );
    return { items: page.items.map((item) => toExperiment(item as unknown as ExperimentItem)), cursor: page.cursor };
  }

  /**
   * Renames an experiment: the new name is claimed and the old one released in
   * the same transaction as the rename, so two experiments never share a name.
   */
  async rename(workspace: string, experimentId: string, name: string, now: number): Promise<Experiment> {
    const current = await this.get(workspace, experimentId);
    if (!current) throw new NotFoundError('experiment', experimentId);
    // A deleted experiment keeps its name until it is restored (a restore brings it back), as on
    // MLflow's server ("Cannot rename a non-active experiment"); the write below checks it again.
    if (current.lifecycleStage === 'deleted') {
      throw new ConflictError(
        'experiment.not_active',
        `experiment '${experimentId}' is deleted; restore it before renaming it`,
        { id: experimentId },
      );
    }
    if (current.name === name) return current;
    const reasons = await sendTransaction(
      this.client,
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: this.tableName,
              Item: { ...experimentNameKey(workspace, name), type: entityTypes.experimentName, experimentId },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          {
            Delete: {
              TableName: this.tableName,
              Key: experimentNameKey(workspace, current.name),
              ConditionExpression: 'experimentId = :id',
              ExpressionAttributeValues: { ':id': experimentId },
            },
          },
          {
            Update: {
              TableName: this.tableName,
              Key: experimentKey(workspace, experimentId),
              UpdateExpression: 'SET #name = :name, nameFolded = :folded, updatedAt = :now',
              ConditionExpression: `#name = :old AND ${activeStage}`,
              ExpressionAttributeNames: { '#name': 'name', '#stage': 'lifecycleStage' },
              ExpressionAttributeValues: {
                ':name': name,
                ':folded': foldName(name),
                ':old': current.name,
                ':now': now,
                ':deleted': 'deleted',
              },
            },
          },
        ],
      }),
    );
    if (reasons) {
      if (reasons[0]?.Code === 'ConditionalCheckFailed') {
        throw new ConflictError('experiment.name_taken', `new_name: experiment name '${name}' is already taken`, {
          id: name,
        });
      }
      throw new ConflictError('experiment.changed', `experiment '${experimentId}' changed meanwhile; retry`);
    }
    return { ...current, name, updatedAt: now };
  }

  /**
   * Sets attributes of an existing experiment in one conditional write. `updatedAt` moves to
   * `now` when one is given: a change of stage passes it, a tag write does not, as MLflow's
   * server keeps an experiment's `last_update_time` through tag writes.
   */
  async update(
    workspace: string,
    experimentId: string,
    changes: { lifecycleStage?: LifecycleStage; deletedAt?: number | null; tags?: Tags; removeTag?: string },
    now?: number,
  ): Promise<Experiment> {
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = now === undefined ? {} : { ':now': now };
    const sets = now === undefined ? [] : ['updatedAt = :now'];
    const removes: string[] = [];
    const conditions = ['attribute_exists(pk)'];
    if (changes.lifecycleStage) {
      names['#stage'] = 'lifecycleStage';
      values[':stage'] = changes.lifecycleStage;
      sets.push('#stage = :stage');
    }
    if (changes.deletedAt === null) removes.push('deletedAt');
    else if (changes.deletedAt !== undefined) {
      values[':deletedAt'] = changes.deletedAt;
      sets.push('deletedAt = :deletedAt');
    }
    const tags = Object.entries(changes.tags ?? {});
    if (tags.length) {
      names['#tags'] = 'tags';
      values[':room'] = limits.tagsPerEntity - tags.length;
      conditions.push('size(#tags) <= :room');
      tags.forEach(([key, value], i) => {
        names[`#k${i}`] = key;
        values[`:v${i}`] = value;
        sets.push(`#tags.#k${i} = :v${i}`);
      });
    }
    if (changes.removeTag !== undefined) {
      names['#tags'] = 'tags';
      names['#removed'] = changes.removeTag;
      removes.push('#tags.#removed');
      conditions.push('attribute_exists(#tags.#removed)');
    }
    // A deleted experiment's tags stay as they were until it is restored, as on MLflow's server.
    const changesTags = tags.length > 0 || changes.removeTag !== undefined;
    if (changesTags) {
      names['#stage'] = 'lifecycleStage';
      values[':deleted'] = 'deleted';
      conditions.push(activeStage);
    }
    try {
      const { Attributes } = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: experimentKey(workspace, experimentId),
          UpdateExpression: [sets.length && `SET ${sets.join(', ')}`, removes.length && `REMOVE ${removes.join(', ')}`]
            .filter(Boolean)
            .join(' '),
          ConditionExpression: conditions.join(' AND '),
          ...(Object.keys(names).length ? { ExpressionAttributeNames: names } : {}),
          ...(Object.keys(values).length ? { ExpressionAttributeValues: values } : {}),
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return toExperiment(Attributes as ExperimentItem);
    } catch (error) {
      refuseTooLarge(error);
      const item = conditionFailedItem(error);
      if (item === false) throw error;
      if (!item) throw new NotFoundError('experiment', experimentId);
      if (changesTags && item.lifecycleStage === 'deleted') {
        throw new ConflictError('experiment.deleted', `experiment '${experimentId}' is deleted; restore it first`, {
          id: experimentId,
        });
      }
      if (changes.removeTag !== undefined && !Object.hasOwn((item.tags as Tags | undefined) ?? {}, changes.removeTag)) {
        throw new NotFoundError('tag', changes.removeTag, 'id', { kind: 'experiment', id: experimentId });
      }
      throw new ConflictError('experiment.too_many_tags', `an experiment holds at most ${limits.tagsPerEntity} tags`);
    }
  }

  /**
   * Counts a run about to be written in its experiment and moves the last
   * activity to its start; false when there is no such experiment (nothing
   * counted). The run's use case calls it first: this one conditional write
   * is also its check that the experiment exists, and the start time it
   * carries was read just before, so concurrent starts seldom land out of
   * order. A plain atomic update rather than part of the run's writes: a sweep
   * starting dozens of runs at once would make the experiment item a
   * transaction hot spot (conflicts, retries, 503s), while ADD on one item
   * serialises cheaply. The activity only moves forward: when a later one is
   * already there, the count alone is added. Answers the count after it: the
   * run's number in the experiment (which bucket row holds its param digests),
   * or undefined when there is no such experiment; a deleted one is refused
   * (experiment.deleted), as on MLflow's server.
   */
  async recordRunStarted(workspace: string, experimentId: string, startTime: number): Promise<number | undefined> {
    const activeExperiment = `attribute_exists(pk) AND ${activeStage}`;
    const count = (withActivity: boolean) =>
      this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: experimentKey(workspace, experimentId),
          UpdateExpression: withActivity ? 'ADD runCount :one SET lastActivityAt = :at' : 'ADD runCount :one',
          ConditionExpression: withActivity
            ? `${activeExperiment} AND (attribute_not_exists(lastActivityAt) OR lastActivityAt <= :at)`
            : activeExperiment,
          ExpressionAttributeNames: { '#stage': 'lifecycleStage' },
          ExpressionAttributeValues: withActivity
            ? { ':one': 1, ':at': startTime, ':deleted': 'deleted' }
            : { ':one': 1, ':deleted': 'deleted' },
          ReturnValues: 'UPDATED_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
    const counted = (output: { Attributes?: Record<string, unknown> }) => output.Attributes?.runCount as number;
    // A deleted experiment takes no new runs, as on MLflow's server: restore it first.
    const refuseDeleted = (current: Record<string, unknown>) => {
      if (current.lifecycleStage === 'deleted') {
        throw new ConflictError('experiment.deleted', `experiment '${experimentId}' is deleted; restore it first`, {
          id: experimentId,
        });
      }
    };
    try {
      return counted(await count(true));
    } catch (error) {
      const current = conditionFailedItem(error);
      if (current === false) throw error;
      if (!current) return undefined;
      refuseDeleted(current);
      // A later activity is recorded: count alone (undefined if the experiment was purged in between).
      try {
        return counted(await count(false));
      } catch (retry) {
        const now = conditionFailedItem(retry);
        if (now === false) throw retry;
        if (now) refuseDeleted(now);
        return undefined;
      }
    }
  }

  /** Takes back a count of `recordRunStarted` whose run was not written after all. */
  async forgetRunStarted(workspace: string, experimentId: string): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: experimentKey(workspace, experimentId),
          UpdateExpression: 'ADD runCount :minusOne',
          ConditionExpression: 'attribute_exists(pk) AND runCount > :zero',
          ExpressionAttributeValues: { ':minusOne': -1, ':zero': 0 },
        }),
      );
    } catch (error) {
      if (conditionFailedItem(error) === false) throw error;
    }
  }

  /**
   * Moves the experiment's last activity forward to `at` (a run ended). Never
   * backwards, and never creates an item; a lost race with a later activity is fine.
   */
  async recordActivity(workspace: string, experimentId: string, at: number): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: experimentKey(workspace, experimentId),
          UpdateExpression: 'SET lastActivityAt = :at',
          ConditionExpression:
            'attribute_exists(pk) AND (attribute_not_exists(lastActivityAt) OR lastActivityAt < :at)',
          ExpressionAttributeValues: { ':at': at },
        }),
      );
    } catch (error) {
      if (conditionFailedItem(error) === false) throw error;
    }
  }
}

/** An experiment is one item: a write past its 400 KB is a 400 (its tags are what grows it). */
const refuseTooLarge = (error: unknown) =>
  refuseItemTooLarge(
    error,
    "tags: an experiment's name, description and tags must fit 400 KB together",
    'experiment.too_large',
  );
