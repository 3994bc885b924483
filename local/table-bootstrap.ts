import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceInUseException,
  ResourceNotFoundException,
} from '@aws-sdk/client-dynamodb';
import { globalIndexes, keyAttributeType, tableKeys } from '../shared/storage/table-definition.ts';

/**
 * Creates the table, from the same definition the CDK stack uses, unless it is
 * already there. For DynamoDB Local and LocalStack; in AWS the stack owns it.
 */
export async function ensureTable(
  endpoint: string | undefined,
  region: string,
  tableName: string,
): Promise<'created' | 'existing'> {
  const client = new DynamoDBClient({ region, ...(endpoint ? { endpoint } : {}) });
  try {
    try {
      await client.send(new DescribeTableCommand({ TableName: tableName }));
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
          GlobalSecondaryIndexes: globalIndexes.map((index) => ({
            IndexName: index.indexName,
            KeySchema: [
              { AttributeName: index.partitionKey, KeyType: 'HASH' },
              { AttributeName: index.sortKey, KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: index.projection },
          })),
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
