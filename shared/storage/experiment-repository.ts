import { type DynamoDBDocumentClient, GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { Experiment, Page, Tags } from '../domain/types.ts';
import { ConflictError } from '../errors.ts';
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
}

const toExperiment = (item: ExperimentItem): Experiment => ({
  experimentId: item.experimentId,
  name: item.name,
  description: item.description,
  tags: item.tags ?? {},
  createdAt: item.createdAt,
});

export interface ListExperimentsQuery {
  limit: number;
  pageToken: string | undefined;
  tags: Tags;
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
      description: experiment.description,
      tags: experiment.tags,
      createdAt: experiment.createdAt,
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
    );
    if (reasons) {
      throw new ConflictError('experiment.name_taken', `experiment_name '${experiment.name}' is already taken`);
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
    const names: Record<string, string> = { '#tags': 'tags' };
    const values: Record<string, unknown> = { ':partition': partition };
    const filters = Object.entries(query.tags).map(([key, value], i) => {
      names[`#t${i}`] = key;
      values[`:t${i}`] = value;
      return `#tags.#t${i} = :t${i}`;
    });
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
}
