import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceInUseException,
  ResourceNotFoundException,
  UpdateTableCommand,
} from '@aws-sdk/client-dynamodb';
import {
  type GlobalIndexDefinition,
  globalIndexesWith,
  indexProjection,
  keyAttributeType,
  MAX_METRIC_INDEX_SLOTS,
  metricSlotIndex,
  tableKeys,
} from '../shared/storage/table-definition.ts';

/**
 * Metric slot GSIs a new local table gets: none (docs/data-model.md, "A run is
 * created"). DynamoDB Local reads the table's description again, and parses
 * it, for every request and for every item it reads or writes, on the one
 * thread that serves its database; with 16 slot GSIs the description is 21 kB
 * and parsing it was 60% of DynamoDB Local's CPU while runs were created. A
 * slot GSI read also parses the whole item each entry stands for (a 4 kB
 * values item, where an index item is 130 bytes). Without them the `peer`
 * bench's runs were created faster and every search was faster. A deployed
 * table has no such costs and keeps 16 (`stratus:metricIndexSlots`).
 */
export const LOCAL_METRIC_INDEX_SLOTS = 0;

export interface TableStatus {
  status: 'created' | 'existing';
  /** Metric slot GSIs the table has: what the functions are told (STRATUS_METRIC_INDEX_SLOTS). */
  metricIndexSlots: number;
}

/**
 * Creates the table, from the same definition the CDK stack uses with
 * `metricIndexSlots` slot GSIs, unless it is already there; a table with fewer
 * (one from before them) gets the missing ones, one at a time as DynamoDB adds
 * them. A table with more keeps them all: its items may be indexed through
 * them. For DynamoDB Local and LocalStack; in AWS the stack owns it.
 */
export async function ensureTable(
  endpoint: string | undefined,
  region: string,
  tableName: string,
  metricIndexSlots: number = MAX_METRIC_INDEX_SLOTS,
): Promise<TableStatus> {
  const client = new DynamoDBClient({ region, ...(endpoint ? { endpoint } : {}) });
  try {
    try {
      const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
      const existing = new Set((Table?.GlobalSecondaryIndexes ?? []).map((i) => i.IndexName));
      const slots = Math.max(metricIndexSlots, slotIndexesIn(existing));
      await addMissingIndexes(client, tableName, existing, globalIndexesWith(slots));
      return { status: 'existing', metricIndexSlots: slots };
    } catch (error) {
      if (!(error instanceof ResourceNotFoundException)) throw error;
    }
    const globalIndexes = globalIndexesWith(metricIndexSlots);
    const keyAttributes = new Set<string>([tableKeys.partitionKey, tableKeys.sortKey]);
    for (const index of globalIndexes) {
      keyAttributes.add(index.partitionKey);
      keyAttributes.add(index.sortKey);
    }
    try {
      await client.send(
        new CreateTableCommand({
          TableName: tableName,
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: [...keyAttributes].map((name) => ({
            AttributeName: name,
            AttributeType: keyAttributeType,
          })),
          KeySchema: [
            { AttributeName: tableKeys.partitionKey, KeyType: 'HASH' },
            { AttributeName: tableKeys.sortKey, KeyType: 'RANGE' },
          ],
          GlobalSecondaryIndexes: globalIndexes.map(indexSchema),
        }),
      );
    } catch (error) {
      // Created meanwhile by another process: as it asked, and told to its functions the same way.
      if (error instanceof ResourceInUseException) return ensureTable(endpoint, region, tableName, metricIndexSlots);
      throw error;
    }
    return { status: 'created', metricIndexSlots };
  } finally {
    client.destroy();
  }
}

const indexSchema = (index: GlobalIndexDefinition) => ({
  IndexName: index.indexName,
  KeySchema: [
    { AttributeName: index.partitionKey, KeyType: 'HASH' as const },
    { AttributeName: index.sortKey, KeyType: 'RANGE' as const },
  ],
  Projection: indexProjection(index),
});

/** Slot GSIs 0, 1, … a table has, counted up to the first one it lacks. */
function slotIndexesIn(existing: ReadonlySet<string | undefined>): number {
  let slots = 0;
  while (slots < MAX_METRIC_INDEX_SLOTS && existing.has(metricSlotIndex(slots).indexName)) slots++;
  return slots;
}

/** DynamoDB adds one GSI per UpdateTable: each in turn, waiting until it is ACTIVE. */
async function addMissingIndexes(
  client: DynamoDBClient,
  tableName: string,
  existing: ReadonlySet<string | undefined>,
  wanted: readonly GlobalIndexDefinition[],
) {
  for (const index of wanted.filter((index) => !existing.has(index.indexName))) {
    await client.send(
      new UpdateTableCommand({
        TableName: tableName,
        AttributeDefinitions: [index.partitionKey, index.sortKey].map((name) => ({
          AttributeName: name,
          AttributeType: keyAttributeType,
        })),
        GlobalSecondaryIndexUpdates: [{ Create: indexSchema(index) }],
      }),
    );
    for (let waited = 0; ; waited += 100) {
      const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
      const status = Table?.GlobalSecondaryIndexes?.find((i) => i.IndexName === index.indexName)?.IndexStatus;
      if (status === 'ACTIVE') break;
      if (waited > 120_000)
        throw new Error(`index ${index.indexName} of ${tableName} is still ${status} after 2 minutes`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
