import {
  BatchWriteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import {
  type DatasetInput,
  type LoggedModel,
  type LoggedModelStatus,
  type ModelOutput,
  type RunIo,
} from '../domain/logged-models.ts';
import type { Page, Tags } from '../domain/types.ts';
import { NotFoundError } from '../errors.ts';
import { digest } from '../ids.ts';
import { conditionFailedItem } from './dynamo-errors.ts';
import {
  deletedLoggedModelsByExperimentPartition,
  entityTypes,
  loggedModelKey,
  loggedModelsByExperimentKey,
  loggedModelsByExperimentPartition,
  runInputKey,
  runModelInputKey,
  runOutputKey,
} from './keys.ts';
import { queryPage } from './query-page.ts';
import { beginRunIoWrite, keepRunIoCopy, type RecordedOrder, readRunIo } from './run-io.ts';
import { refuseTooLarge, type StoredModelMetric } from './logged-model-item.ts';
import { storedValueNumber } from './stored-value.ts';
import { indexPosition, logicalIndexes } from './table-definition.ts';

type LoggedModelItem = Omit<LoggedModel, 'metrics'> & { metrics?: Record<string, StoredModelMetric> };

const toLoggedModel = (item: Record<string, unknown>): LoggedModel => {
  const model = item as unknown as LoggedModelItem;
  return {
    modelId: model.modelId,
    experimentId: model.experimentId,
    name: model.name,
    modelType: model.modelType,
    sourceRunId: model.sourceRunId,
    status: model.status,
    params: model.params ?? {},
    tags: model.tags ?? {},
    createdAt: model.createdAt,
    updatedAt: model.updatedAt,
    metrics: Object.values(model.metrics ?? {})
      .map((metric) => ({
        key: metric.key,
        value: typeof metric.value === 'number' ? metric.value : storedValueNumber(metric.value),
        step: metric.step,
        timestamp: metric.timestamp,
        runId: metric.runId,
        datasetName: metric.datasetName,
        datasetDigest: metric.datasetDigest,
      }))
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)),
  };
};

/** MLflow's logged models, and the inputs (datasets) and outputs (models) of runs. */
export class LoggedModelRepository {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async create(workspace: string, model: LoggedModel): Promise<void> {
    await this.client
      .send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...loggedModelKey(workspace, model.modelId),
            ...loggedModelsByExperimentKey(workspace, model.experimentId, model.createdAt, model.modelId),
            type: entityTypes.loggedModel,
            ...model,
            metrics: {},
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      )
      .catch((error: unknown) => {
        refuseTooLarge(error, 'params');
        throw error;
      });
  }

  /** The model, unless there is none or it is deleted. */
  async get(workspace: string, modelId: string): Promise<LoggedModel | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: loggedModelKey(workspace, modelId), ConsistentRead: true }),
    );
    return Item && Item.lifecycleStage !== 'deleted' ? toLoggedModel(Item) : undefined;
  }

  /** Whether the model is there, deleted or not: a run may still name a deleted one among its outputs. */
  async exists(workspace: string, modelId: string): Promise<boolean> {
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: loggedModelKey(workspace, modelId),
        ProjectionExpression: 'pk',
        ConsistentRead: true,
      }),
    );
    return Item !== undefined;
  }

  /** Sets the status and merges tags, or removes one tag; a missing model is a NotFoundError. */
  async update(
    workspace: string,
    modelId: string,
    changes: { status?: LoggedModelStatus; tags?: Tags; removeTag?: string },
    now: number,
  ): Promise<LoggedModel> {
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = { ':now': now };
    const sets = ['updatedAt = :now'];
    const removes: string[] = [];
    if (changes.status) {
      names['#status'] = 'status';
      values[':status'] = changes.status;
      sets.push('#status = :status');
    }
    Object.entries(changes.tags ?? {}).forEach(([key, value], i) => {
      names['#tags'] = 'tags';
      names[`#tags${i}`] = key;
      values[`:tags${i}`] = value;
      sets.push(`#tags.#tags${i} = :tags${i}`);
    });
    const conditions = ['attribute_exists(pk)'];
    if (changes.removeTag !== undefined) {
      names['#tags'] = 'tags';
      names['#removed'] = changes.removeTag;
      removes.push('#tags.#removed');
      // Removing a tag the model does not have is a 404, as for runs and experiments (and on MLflow).
      conditions.push('attribute_exists(#tags.#removed)');
    }
    try {
      const { Attributes } = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: loggedModelKey(workspace, modelId),
          UpdateExpression: `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
          ConditionExpression: conditions.join(' AND '),
          ...(Object.keys(names).length ? { ExpressionAttributeNames: names } : {}),
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return toLoggedModel(Attributes as Record<string, unknown>);
    } catch (error) {
      refuseTooLarge(error, 'tags');
      const item = conditionFailedItem(error);
      if (item === false) throw error;
      if (item && changes.removeTag !== undefined) {
        throw new NotFoundError('tag', changes.removeTag, 'id', { kind: 'logged_model', id: modelId });
      }
      throw new NotFoundError('logged_model', modelId);
    }
  }

  /**
   * Marks the model deleted, as MLflow's server does (until its `gc`), rather than removing it: a
   * second delete, a client's retry of the first among them, is a 200 there. The item moves out of
   * the experiment's index partition, so gets and searches no longer find it, and stays until its
   * run or experiment is purged; it grows no further than a live model can. Deleting it again moves
   * its `updatedAt` again, as there.
   */
  async delete(workspace: string, modelId: string, now: number): Promise<void> {
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: loggedModelKey(workspace, modelId),
        ProjectionExpression: 'experimentId',
        ConsistentRead: true,
      }),
    );
    if (typeof Item?.experimentId !== 'string') throw new NotFoundError('logged_model', modelId);
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: loggedModelKey(workspace, modelId),
          UpdateExpression: 'SET lifecycleStage = :deleted, updatedAt = :now, gsi1pk = :partition',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: {
            ':deleted': 'deleted',
            ':now': now,
            ':partition': deletedLoggedModelsByExperimentPartition(workspace, Item.experimentId),
          },
        }),
      );
    } catch (error) {
      if (conditionFailedItem(error) === false) throw error;
      // Purged between the read and the write.
      throw new NotFoundError('logged_model', modelId);
    }
  }

  /** An experiment's logged models, newest first, optionally only those with one name. */
  async listByExperiment(
    workspace: string,
    experimentId: string,
    query: { name?: string | undefined; limit: number; pageToken: string | undefined },
  ): Promise<Page<LoggedModel>> {
    const partition = loggedModelsByExperimentPartition(workspace, experimentId);
    const page = await queryPage(
      this.client,
      {
        TableName: this.tableName,
        IndexName: logicalIndexes.loggedModelsByExperiment,
        KeyConditionExpression: 'gsi1pk = :partition',
        ScanIndexForward: false,
        ...(query.name === undefined
          ? { ExpressionAttributeValues: { ':partition': partition } }
          : {
              FilterExpression: '#name = :name',
              ExpressionAttributeNames: { '#name': 'name' },
              ExpressionAttributeValues: { ':partition': partition, ':name': query.name },
            }),
      },
      {
        partition,
        boundAttribute: 'gsi1pk',
        keyAttributes: indexPosition,
        limit: query.limit,
        pageToken: query.pageToken,
      },
    );
    return { items: page.items.map(toLoggedModel), cursor: page.cursor };
  }

  /**
   * Records datasets and logged models a run used and models it produced; datasets at
   * `recordedAt`, in the order given (run-io.ts). A dataset (name and digest) or model the
   * run already records as used keeps its first record, tags, context and place included,
   * as on MLflow's server: a resumed run, or an evaluation, that logs the same data again
   * (often without the tags) changes nothing. Datasets and outputs, what MLflow's search
   * answers (not model inputs), mark the run (Run.hasIo) before their items and leave a copy of
   * them all on it after (run-io-copy.ts).
   */
  async putRunIo(
    workspace: string,
    runId: string,
    io: { datasets?: readonly DatasetInput[]; modelInputs?: readonly string[]; outputs?: readonly ModelOutput[] },
    at: { recordedAt: number },
  ): Promise<void> {
    const searched = Boolean(io.datasets?.length || io.outputs?.length);
    const version = searched ? await beginRunIoWrite(this.client, this.tableName, workspace, runId) : undefined;
    if (searched && version === undefined) throw new NotFoundError('run', runId);
    const inputs = new Map<string, Record<string, unknown>>();
    for (const dataset of io.datasets ?? []) {
      const key = runInputKey(workspace, runId, digest(JSON.stringify([dataset.name, dataset.digest])));
      if (inputs.has(key.sk)) continue;
      const order: RecordedOrder = { recordedAt: at.recordedAt, position: inputs.size };
      inputs.set(key.sk, {
        ...key,
        type: entityTypes.runInput,
        ...dataset,
        ...order,
      });
    }
    for (const modelId of io.modelInputs ?? []) {
      const key = runModelInputKey(workspace, runId, modelId);
      inputs.set(key.sk, { ...key, type: entityTypes.runModelInput, modelId });
    }
    // One conditional put each (a batch write cannot hold a condition); at most 200 per request.
    await Promise.all(
      [...inputs.values()].map(async (Item) => {
        try {
          await this.client.send(
            new PutCommand({ TableName: this.tableName, Item, ConditionExpression: 'attribute_not_exists(pk)' }),
          );
        } catch (error) {
          if (conditionFailedItem(error) === false) throw error;
        }
      }),
    );
    const outputs = (io.outputs ?? []).map((output) => ({
      ...runOutputKey(workspace, runId, output.modelId),
      type: entityTypes.runOutput,
      ...output,
    }));
    for (let start = 0; start < outputs.length; start += 25) {
      let requests: Record<string, unknown>[] | undefined = outputs
        .slice(start, start + 25)
        .map((Item) => ({ PutRequest: { Item } }));
      while (requests?.length) {
        const result = await this.client.send(
          new BatchWriteCommand({ RequestItems: { [this.tableName]: requests as never } }),
        );
        requests = result.UnprocessedItems?.[this.tableName] as Record<string, unknown>[] | undefined;
      }
    }
    if (version !== undefined) await keepRunIoCopy(this.client, this.tableName, workspace, runId, version);
  }

  async getRunIo(workspace: string, runId: string): Promise<RunIo> {
    return readRunIo(this.client, this.tableName, workspace, runId);
  }
}
