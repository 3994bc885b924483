import {
  BatchWriteCommand,
  type BatchWriteCommandOutput,
  type DynamoDBDocumentClient,
  GetCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import {
  artifactPartition,
  childRunsPartition,
  entityTypes,
  experimentKey,
  experimentNameKey,
  deletedLoggedModelsByExperimentPartition,
  loggedModelsByExperimentPartition,
  metricHistoryPartition,
  type PrimaryKey,
  paramBucketKey,
  paramBucketOf,
  paramRowKey,
  paramRowsPartition,
  runIoPartition,
  runKey,
  runPartitionKey,
  runsByExperimentPartition,
} from './keys.ts';
import { queryAllItems } from './query-page.ts';
import { childRunItem, metricIndexItem, paramBucketEntries, tagIndexItem } from './run-items.ts';
import { safeEntries } from './run-reader.ts';
import type { StoredMetricEntry } from './run-repository.ts';
import { storedValueNumber } from './stored-value.ts';
import { logicalIndexes } from './table-definition.ts';
import { sendTransaction } from './transactions.ts';

/**
 * Removes experiments and runs for good: every item of a run (its search index
 * entries, each metric's history and rollups, its artifact records, its inputs
 * and outputs, its logged models, its partition) and then the run item itself,
 * last, so a purge that stops half way can simply be run again. The index
 * entries live in partitions per experiment and key (docs/search.md), so they
 * are found from the run's own items: its tags, latest values and parent (its
 * param row's key is known).
 */
export class PurgeRepository {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /**
   * Deletes a run's items; returns how many. `counted`: the experiment stays, so its counts
   * (runTally) learn of the purge in the same transaction as the run item's delete; an
   * experiment's own purge passes false, as its counts go with it.
   */
  async purgeRun(workspace: string, runId: string, experimentId: string, counted: boolean): Promise<number> {
    const runItems = await this.itemsOf(runPartitionKey(workspace, runId));
    const metricKeys = new Set<string>();
    const indexEntries: PrimaryKey[] = [paramRowKey(workspace, experimentId, runId)];
    for (const item of runItems) {
      if (item.type === entityTypes.run && typeof item.parentRunId === 'string') {
        indexEntries.push(...childRunItem(workspace, { experimentId, runId, parentRunId: item.parentRunId }));
      }
      for (const [key, value] of safeEntries<string>(item.tags)) {
        indexEntries.push(tagIndexItem(workspace, experimentId, runId, key, value));
      }
      for (const [key, entry] of safeEntries<StoredMetricEntry>(item.metrics)) {
        metricKeys.add(key);
        // A key with a metric slot is indexed by attributes of this item: they go with it.
        if (entry.x !== undefined) continue;
        indexEntries.push(metricIndexItem(workspace, experimentId, runId, key, storedValueNumber(entry.v)));
      }
    }
    await this.deleteKeys(indexEntries);
    const runNumber = runItems.find((item) => typeof item.runNumber === 'number')?.runNumber as number | undefined;
    if (runNumber !== undefined) await this.removeFromParamBucket(workspace, experimentId, runId, runNumber);
    const partitions = [
      artifactPartition(workspace, runId),
      runIoPartition(workspace, runId),
      ...[...metricKeys].map((key) => metricHistoryPartition(workspace, runId, key)),
    ];
    let deleted = indexEntries.length;
    for (const partition of partitions) deleted += await this.deletePartition(partition);
    deleted += await this.deleteModelsOf(workspace, experimentId, runId);
    // The run partition (values, pages, params) with the run item last.
    const run = runKey(workspace, runId);
    const rest = runItems
      .map((item) => ({ pk: item.pk as string, sk: item.sk as string }))
      .filter((key) => key.sk !== run.sk);
    await this.deleteKeys(rest);
    const head = runItems.find((item) => item.sk === run.sk);
    if (counted && head) await this.deleteCounted(workspace, experimentId, run, head.lifecycleStage === 'deleted');
    else await this.deleteKeys([run]);
    return deleted + rest.length + 1;
  }

  /**
   * The run item's delete with the experiment's count of it: purged now, and no longer deleted
   * if its own stage was (a run of a deleted experiment may be purged with its own stage active).
   * Conditional on the run item being there, so a racing purge counts once.
   */
  private async deleteCounted(workspace: string, experimentId: string, run: PrimaryKey, ownStageDeleted: boolean) {
    const reasons = await sendTransaction(
      this.client,
      new TransactWriteCommand({
        TransactItems: [
          { Delete: { TableName: this.tableName, Key: run, ConditionExpression: 'attribute_exists(pk)' } },
          {
            Update: {
              TableName: this.tableName,
              Key: experimentKey(workspace, experimentId),
              UpdateExpression: ownStageDeleted ? 'ADD purgedRuns :one, deletedRuns :minusOne' : 'ADD purgedRuns :one',
              ConditionExpression: 'attribute_exists(pk)',
              ExpressionAttributeValues: ownStageDeleted ? { ':one': 1, ':minusOne': -1 } : { ':one': 1 },
            },
          },
        ],
      }),
    );
    // The experiment item is gone (its own purge is under way): the run item goes all the same.
    if (reasons?.[1]?.Code === 'ConditionalCheckFailed') await this.deleteKeys([run]);
  }

  /** The ids of every run of an experiment, deleted or not. */
  async *runIdsOf(workspace: string, experimentId: string): AsyncGenerator<string> {
    const items = queryAllItems(this.client, {
      TableName: this.tableName,
      IndexName: logicalIndexes.runsByExperiment,
      KeyConditionExpression: 'gsi1pk = :partition',
      ExpressionAttributeValues: { ':partition': runsByExperimentPartition(workspace, experimentId) },
      ProjectionExpression: 'runId',
    });
    for await (const item of items) yield item.runId as string;
  }

  /**
   * The run's attributes on its bucket row (its first params and any later
   * ones), found by the run id their values start with. The row itself stays
   * (other runs may be writing to it) until its experiment is purged.
   */
  private async removeFromParamBucket(workspace: string, experimentId: string, runId: string, runNumber: number) {
    const key = paramBucketKey(workspace, experimentId, paramBucketOf(runNumber).bucket);
    const row = await this.client.send(new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }));
    const names = Object.entries(row.Item ?? {}).flatMap(([name, value]) =>
      paramBucketEntries({ [name]: value }).some((entry) => entry.runId === runId) ? [name] : [],
    );
    if (names.length === 0) return;
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: key,
        UpdateExpression: `REMOVE ${names.map((_, i) => `#n${i}`).join(', ')}`,
        ExpressionAttributeNames: Object.fromEntries(names.map((name, i) => [`#n${i}`, name])),
      }),
    );
  }

  /** The experiment item and its name claim, after its runs are gone; the name becomes free. */
  async purgeExperimentRecord(workspace: string, experimentId: string, name: string): Promise<void> {
    await this.deleteModelsOf(workspace, experimentId, undefined);
    // Bucket rows are shared by runs: they go with the experiment (each run's attributes went with it).
    await this.deletePartition(paramRowsPartition(workspace, experimentId));
    // Each run's child item went with it; one a failed create left behind (no run item) goes here.
    await this.deletePartition(childRunsPartition(workspace, experimentId));
    await this.deleteKeys([experimentNameKey(workspace, name), experimentKey(workspace, experimentId)]);
  }

  /** The experiment's logged models (of one run, when `runId` is given), deleted ones too. */
  private async deleteModelsOf(workspace: string, experimentId: string, runId: string | undefined) {
    const keys: { pk: string; sk: string }[] = [];
    for (const partition of [
      loggedModelsByExperimentPartition(workspace, experimentId),
      deletedLoggedModelsByExperimentPartition(workspace, experimentId),
    ]) {
      const models = queryAllItems(this.client, {
        TableName: this.tableName,
        IndexName: logicalIndexes.loggedModelsByExperiment,
        KeyConditionExpression: 'gsi1pk = :partition',
        ExpressionAttributeValues: { ':partition': partition },
      });
      for await (const model of models) {
        if (runId === undefined || model.sourceRunId === runId)
          keys.push({ pk: model.pk as string, sk: model.sk as string });
      }
    }
    await this.deleteKeys(keys);
    return keys.length;
  }

  /** Every item of a partition, whole (a run's partition holds a few items of at most 400 KB each). */
  private async itemsOf(partition: string): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    for await (const item of queryAllItems(this.client, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': partition },
      ConsistentRead: true,
    })) {
      items.push(item);
    }
    return items;
  }

  private async deletePartition(partition: string, keep: (key: { pk: string; sk: string }) => boolean = () => true) {
    const items = queryAllItems(this.client, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': partition },
      ProjectionExpression: 'pk, sk',
    });
    const keys: { pk: string; sk: string }[] = [];
    for await (const item of items) {
      const key = { pk: item.pk as string, sk: item.sk as string };
      if (keep(key)) keys.push(key);
    }
    await this.deleteKeys(keys);
    return keys.length;
  }

  private async deleteKeys(keys: readonly { pk: string; sk: string }[]) {
    for (let start = 0; start < keys.length; start += 25) {
      let requests: unknown[] | undefined = keys.slice(start, start + 25).map((Key) => ({ DeleteRequest: { Key } }));
      while (requests?.length) {
        const result: BatchWriteCommandOutput = await this.client.send(
          new BatchWriteCommand({ RequestItems: { [this.tableName]: requests as never } }),
        );
        requests = result.UnprocessedItems?.[this.tableName];
      }
    }
  }
}
