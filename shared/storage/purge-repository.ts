import {
  BatchWriteCommand,
  type BatchWriteCommandOutput,
  type DynamoDBDocumentClient,
  GetCommand,
} from '@aws-sdk/lib-dynamodb';
import {
  artifactPartition,
  experimentKey,
  experimentNameKey,
  latestMetricsKey,
  loggedModelsByExperimentPartition,
  metricHistoryPartition,
  runIoPartition,
  runKey,
  runPartitionKey,
  runSearchPartition,
  runsByExperimentPartition,
} from './keys.ts';
import { queryAllItems } from './query-page.ts';
import { logicalIndexes } from './table-definition.ts';

/**
 * Removes experiments and runs for good: every item of a run (its partition, its
 * search index entries, each metric's history, its artifact records, its inputs
 * and outputs, its logged models) and then the run item itself, last, so a purge
 * that stops half way can simply be run again.
 */
export class PurgeRepository {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** Deletes a run's items; returns how many. */
  async purgeRun(workspace: string, runId: string, experimentId: string): Promise<number> {
    const { Item: latest } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: latestMetricsKey(workspace, runId), ConsistentRead: true }),
    );
    const metricKeys = new Set([
      ...Object.keys((latest?.metrics ?? {}) as object),
      ...Object.keys((latest?.spans ?? {}) as object),
    ]);
    const partitions = [
      runSearchPartition(workspace, runId),
      artifactPartition(workspace, runId),
      runIoPartition(workspace, runId),
      ...[...metricKeys].map((key) => metricHistoryPartition(workspace, runId, key)),
    ];
    let deleted = 0;
    for (const partition of partitions) deleted += await this.deletePartition(partition);
    deleted += await this.deleteModelsOf(workspace, experimentId, runId);
    // The run partition (params, summaries, latest metrics) with the run item last.
    const run = runKey(workspace, runId);
    deleted += await this.deletePartition(runPartitionKey(workspace, runId), (key) => key.sk !== run.sk);
    await this.deleteKeys([run]);
    return deleted + 1;
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

  /** The experiment item and its name claim, after its runs are gone; the name becomes free. */
  async purgeExperimentRecord(workspace: string, experimentId: string, name: string): Promise<void> {
    await this.deleteModelsOf(workspace, experimentId, undefined);
    await this.deleteKeys([experimentNameKey(workspace, name), experimentKey(workspace, experimentId)]);
  }

  private async deleteModelsOf(workspace: string, experimentId: string, runId: string | undefined) {
    const models = queryAllItems(this.client, {
      TableName: this.tableName,
      IndexName: logicalIndexes.loggedModelsByExperiment,
      KeyConditionExpression: 'gsi1pk = :partition',
      ExpressionAttributeValues: { ':partition': loggedModelsByExperimentPartition(workspace, experimentId) },
    });
    const keys: { pk: string; sk: string }[] = [];
    for await (const model of models) {
      if (runId === undefined || model.sourceRunId === runId)
        keys.push({ pk: model.pk as string, sk: model.sk as string });
    }
    await this.deleteKeys(keys);
    return keys.length;
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
