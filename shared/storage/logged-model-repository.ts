import {
  BatchWriteCommand,
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { DatasetInput, LoggedModel, LoggedModelStatus, ModelOutput } from '../domain/logged-models.ts';
import type { Page, Tags } from '../domain/types.ts';
import { NotFoundError } from '../errors.ts';
import { digest } from '../ids.ts';
import { conditionFailedItem } from './dynamo-errors.ts';
import {
  entityTypes,
  loggedModelKey,
  loggedModelsByExperimentKey,
  loggedModelsByExperimentPartition,
  runInputKey,
  runIoPartition,
  runOutputKey,
} from './keys.ts';
import { queryAllItems, queryPage } from './query-page.ts';
import { indexPosition, logicalIndexes } from './table-definition.ts';

type LoggedModelItem = LoggedModel;

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
  };
};

/** MLflow's logged models, and the inputs (datasets) and outputs (models) of runs. */
export class LoggedModelRepository {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async create(workspace: string, model: LoggedModel): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...loggedModelKey(workspace, model.modelId),
          ...loggedModelsByExperimentKey(workspace, model.experimentId, model.createdAt, model.modelId),
          type: entityTypes.loggedModel,
          ...model,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async get(workspace: string, modelId: string): Promise<LoggedModel | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: loggedModelKey(workspace, modelId), ConsistentRead: true }),
    );
    return Item ? toLoggedModel(Item) : undefined;
  }

  /** Sets the status and merges params and tags, or removes one tag; a missing model is a NotFoundError. */
  async update(
    workspace: string,
    modelId: string,
    changes: { status?: LoggedModelStatus; params?: Record<string, string>; tags?: Tags; removeTag?: string },
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
    for (const [attribute, entries] of [
      ['params', changes.params],
      ['tags', changes.tags],
    ] as const) {
      Object.entries(entries ?? {}).forEach(([key, value], i) => {
        names[`#${attribute}`] = attribute;
        names[`#${attribute}${i}`] = key;
        values[`:${attribute}${i}`] = value;
        sets.push(`#${attribute}.#${attribute}${i} = :${attribute}${i}`);
      });
    }
    if (changes.removeTag !== undefined) {
      names['#tags'] = 'tags';
      names['#removed'] = changes.removeTag;
      removes.push('#tags.#removed');
    }
    try {
      const { Attributes } = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: loggedModelKey(workspace, modelId),
          UpdateExpression: `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
          ConditionExpression: 'attribute_exists(pk)',
          ...(Object.keys(names).length ? { ExpressionAttributeNames: names } : {}),
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
        }),
      );
      return toLoggedModel(Attributes as Record<string, unknown>);
    } catch (error) {
      if (conditionFailedItem(error) === false) throw error;
      throw new NotFoundError('logged_model', modelId);
    }
  }

  async delete(workspace: string, modelId: string): Promise<void> {
    try {
      await this.client.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: loggedModelKey(workspace, modelId),
          ConditionExpression: 'attribute_exists(pk)',
        }),
      );
    } catch (error) {
      if (conditionFailedItem(error) === false) throw error;
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

  /** Records datasets a run used and models it produced; recording one again changes nothing. */
  async putRunIo(
    workspace: string,
    runId: string,
    io: { datasets?: readonly DatasetInput[]; outputs?: readonly ModelOutput[] },
  ): Promise<void> {
    const items = [
      ...(io.datasets ?? []).map((dataset) => ({
        ...runInputKey(workspace, runId, digest(JSON.stringify([dataset.name, dataset.digest]))),
        type: entityTypes.runInput,
        ...dataset,
      })),
      ...(io.outputs ?? []).map((output) => ({
        ...runOutputKey(workspace, runId, output.modelId),
        type: entityTypes.runOutput,
        ...output,
      })),
    ];
    for (let start = 0; start < items.length; start += 25) {
      let requests: Record<string, unknown>[] | undefined = items
        .slice(start, start + 25)
        .map((Item) => ({ PutRequest: { Item } }));
      while (requests?.length) {
        const result = await this.client.send(
          new BatchWriteCommand({ RequestItems: { [this.tableName]: requests as never } }),
        );
        requests = result.UnprocessedItems?.[this.tableName] as Record<string, unknown>[] | undefined;
      }
    }
  }

  async getRunIo(workspace: string, runId: string): Promise<{ datasets: DatasetInput[]; outputs: ModelOutput[] }> {
    const datasets: DatasetInput[] = [];
    const outputs: ModelOutput[] = [];
    const items = queryAllItems(this.client, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': runIoPartition(workspace, runId) },
    });
    for await (const item of items) {
      if (item.type === entityTypes.runInput) {
        datasets.push({
          name: item.name as string,
          digest: item.digest as string,
          sourceType: item.sourceType as string,
          source: item.source as string,
          schema: item.schema as string | undefined,
          profile: item.profile as string | undefined,
          tags: (item.tags ?? {}) as Tags,
        });
      } else if (item.type === entityTypes.runOutput) {
        outputs.push({ modelId: item.modelId as string, step: item.step as number });
      }
    }
    return { datasets, outputs };
  }
}
