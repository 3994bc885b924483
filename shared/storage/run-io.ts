import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DatasetInput, ModelOutput, RunIo } from '../domain/logged-models.ts';
import { conditionFailedItem } from './dynamo-errors.ts';
import { entityTypes, runIoPartition, runKey } from './keys.ts';
import { queryAllItems } from './query-page.ts';
import { encodeRunIoCopy } from './run-io-copy.ts';
import { recordOf, safeEntries } from './run-reader.ts';

/**
 * A run's MLflow inputs and outputs (its IO partition, beside the run), read by
 * get_run and by the MLflow dialect's search: a module of its own so that the
 * search function's bundle need not carry the logged-model repository.
 */

/**
 * Where a dataset input stands in the order MLflow answers a run's datasets: the order they were
 * first recorded (its server reads them in insertion order), of which their sort keys, digests,
 * say nothing. Inputs from before carry neither and come first, in key order. The logged models
 * a run used and produced need none: MLflow's server answers them in the order of their ids (its
 * table's primary key), which is their sort keys' order.
 */
export interface RecordedOrder {
  recordedAt: number;
  /** Its place in the request that recorded it. */
  position: number;
}

/** The run's inputs and outputs, in the order MLflow's server answers them. */
export async function readRunIo(
  client: DynamoDBDocumentClient,
  tableName: string,
  workspace: string,
  runId: string,
  consistent = false,
): Promise<RunIo> {
  const datasets: Array<Placed<DatasetInput>> = [];
  const modelInputs: string[] = [];
  const outputs: ModelOutput[] = [];
  const items = queryAllItems(client, {
    TableName: tableName,
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': runIoPartition(workspace, runId) },
    ConsistentRead: consistent,
  });
  for await (const item of items) {
    if (item.type === entityTypes.runInput) {
      const at = { recordedAt: item.recordedAt as number | undefined, position: item.position as number | undefined };
      const value: DatasetInput = {
        name: item.name as string,
        digest: item.digest as string,
        sourceType: item.sourceType as string,
        source: item.source as string,
        schema: item.schema as string | undefined,
        profile: item.profile as string | undefined,
        // In no order: MLflow answers them by key (views.ts); `tagOrder`, on items from before, is not read.
        tags: recordOf(safeEntries<string>(item.tags)),
      };
      datasets.push({ at, value });
    } else if (item.type === entityTypes.runModelInput) {
      modelInputs.push(item.modelId as string);
    } else if (item.type === entityTypes.runOutput) {
      outputs.push({ modelId: item.modelId as string, step: item.step as number });
    }
  }
  return { datasets: inRecordedOrder(datasets), modelInputs, outputs };
}

interface Placed<T> {
  at: Partial<RecordedOrder>;
  value: T;
}

// Array.prototype.sort is stable: items with equal places keep their key order.
const inRecordedOrder = <T>(placed: Array<Placed<T>>): T[] =>
  placed
    .sort((a, b) => (a.at.recordedAt ?? 0) - (b.at.recordedAt ?? 0) || (a.at.position ?? 0) - (b.at.position ?? 0))
    .map(({ value }) => value);

/**
 * Marks the run item as having inputs or outputs (Run.hasIo), as the migration of runs from before
 * marks does; IO writes mark with beginRunIoWrite. Not on a run that is gone (purged meanwhile).
 */
export async function markRunIo(
  client: DynamoDBDocumentClient,
  tableName: string,
  workspace: string,
  runId: string,
): Promise<boolean> {
  try {
    await client.send(
      new UpdateCommand({
        TableName: tableName,
        Key: runKey(workspace, runId),
        UpdateExpression: 'SET hasIo = :true',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':true': true },
      }),
    );
    return true;
  } catch (error) {
    if (conditionFailedItem(error) === false) throw error;
    return false;
  }
}

/** How many times a write reads the partition again when other IO writes keep beginning meanwhile. */
const MAX_COPY_ATTEMPTS = 3;

/**
 * Begins an IO write of datasets or outputs (run-io-copy.ts): marks the run item as having inputs
 * or outputs (Run.hasIo) and makes its copy stale, before the items it announces; a mark whose
 * items then fail to land costs a search one empty read, while items without a mark would be
 * missing from searches. The write's version, or undefined when the run is gone (purged meanwhile).
 */
export async function beginRunIoWrite(
  client: DynamoDBDocumentClient,
  tableName: string,
  workspace: string,
  runId: string,
): Promise<number | undefined> {
  try {
    const { Attributes } = await client.send(
      new UpdateCommand({
        TableName: tableName,
        Key: runKey(workspace, runId),
        UpdateExpression: 'SET hasIo = :true ADD ioVersion :one',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':true': true, ':one': 1 },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    return Attributes?.ioVersion as number;
  } catch (error) {
    if (conditionFailedItem(error) === false) throw error;
    return undefined;
  }
}

/** Keeps the copy of the run's IO after the write `version` (beginRunIoWrite) put its items. */
export async function keepRunIoCopy(
  client: DynamoDBDocumentClient,
  tableName: string,
  workspace: string,
  runId: string,
  version: number,
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const copy = encodeRunIoCopy(await readRunIo(client, tableName, workspace, runId, true));
    try {
      await client.send(
        new UpdateCommand({
          TableName: tableName,
          Key: runKey(workspace, runId),
          // A copy too large is dropped: the version says the partition was read, and search reads it again.
          UpdateExpression:
            copy === undefined
              ? 'SET ioCopyVersion = :version REMOVE ioCopy'
              : 'SET ioCopy = :copy, ioCopyVersion = :version',
          ConditionExpression: 'ioVersion = :version',
          ExpressionAttributeValues: { ':version': version, ...(copy !== undefined && { ':copy': copy }) },
        }),
      );
      return;
    } catch (error) {
      if (conditionFailedItem(error) === false) throw error;
    }
    // Another IO write began: it may have read the partition before these items landed.
    if (attempt === MAX_COPY_ATTEMPTS) return; // the copy stays stale: search reads the partition
    const next = await beginRunIoWrite(client, tableName, workspace, runId);
    if (next === undefined) return;
    version = next;
  }
}
