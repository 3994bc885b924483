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
  globalIndexes,
  indexProjection,
  keyAttributeType,
  tableKeys,
} from '../shared/storage/table-definition.ts';

/**
 * Creates the table, from the same definition the CDK stack uses, unless it is
 * already there; a table from before some of its GSIs (the metric slot
 * indexes) gets them, one at a time as DynamoDB adds them. For DynamoDB Local
 * and LocalStack; in AWS the stack owns it.
 */
export async function ensureTable(
  endpoint: string | undefined,
  region: string,
  tableName: string,
): Promise<'created' | 'existing'> {
  const client = new DynamoDBClient({ region, ...(endpoint ? { endpoint } : {}) });
  try {
    try {
      const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
      await addMissingIndexes(
        client,
        tableName,
        new Set((Table?.GlobalSecondaryIndexes ?? []).map((i) => i.IndexName)),
      );
      return 'existing';
    } catch (error) {
      if (!(error instanceof ResourceNotFoundException)) throw error;
    }
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
      if (error instanceof ResourceInUseException) return 'existing';
      throw error;
    }
    return 'created';
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

/** DynamoDB adds one GSI per UpdateTable: each in turn, waiting until it is ACTIVE. */
async function addMissingIndexes(client: DynamoDBClient, tableName: string, existing: ReadonlySet<string | undefined>) {
  for (const index of globalIndexes.filter((index) => !existing.has(index.indexName))) {
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
