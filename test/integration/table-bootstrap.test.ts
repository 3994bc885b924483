import { CreateTableCommand, DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type DynamoDbLocal, startDynamoDbLocal } from '../../local/dynamodb-local.ts';
import { freePort } from '../../local/stack.ts';
import { ensureTable } from '../../local/table-bootstrap.ts';
import {
  globalIndexes,
  globalIndexesWith,
  indexProjection,
  MAX_METRIC_INDEX_SLOTS,
  metricSlotIndex,
} from '../../shared/storage/table-definition.ts';

/**
 * The local table is created from the stack's definition; a table left by a
 * version from before the metric slot indexes (a local stack's data folder)
 * gets them when the stack starts, with its items kept, so that what is
 * written through a slot is found.
 */
// ensureTable takes the SDK's default credentials; DynamoDB Local accepts any.
process.env.AWS_ACCESS_KEY_ID ??= 'local';
process.env.AWS_SECRET_ACCESS_KEY ??= 'local';

let db: DynamoDbLocal;
let client: DynamoDBClient;

beforeAll(async () => {
  db = await startDynamoDbLocal({ port: await freePort() });
  client = new DynamoDBClient({
    region: 'us-east-1',
    endpoint: db.endpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
});

afterAll(async () => {
  client?.destroy();
  await db?.stop();
});

const indexesOf = async (table: string) =>
  ((await client.send(new DescribeTableCommand({ TableName: table }))).Table?.GlobalSecondaryIndexes ?? []).map(
    (index) => ({ name: index.IndexName, projection: index.Projection, status: index.IndexStatus }),
  );

describe('table bootstrap', () => {
  test('a new table has every index of the definition', async () => {
    expect(await ensureTable(db.endpoint, 'us-east-1', 'fresh')).toEqual({
      status: 'created',
      metricIndexSlots: MAX_METRIC_INDEX_SLOTS,
    });
    expect(await indexesOf('fresh')).toEqual(
      expect.arrayContaining(
        globalIndexes.map((index) =>
          expect.objectContaining({ name: index.indexName, projection: indexProjection(index) }),
        ),
      ),
    );
    expect(await indexesOf('fresh')).toHaveLength(globalIndexes.length);
  });

  test('a table from before the slot indexes gets them, its items kept and indexed', async () => {
    const old = globalIndexesWith(0);
    const attributes = new Set(['pk', 'sk', ...old.flatMap((index) => [index.partitionKey, index.sortKey])]);
    await client.send(
      new CreateTableCommand({
        TableName: 'older',
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [...attributes].map((name) => ({ AttributeName: name, AttributeType: 'S' })),
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: old.map((index) => ({
          IndexName: index.indexName,
          KeySchema: [
            { AttributeName: index.partitionKey, KeyType: 'HASH' },
            { AttributeName: index.sortKey, KeyType: 'RANGE' },
          ],
          Projection: indexProjection(index),
        })),
      }),
    );
    const documents = DynamoDBDocumentClient.from(client);
    await documents.send(new PutCommand({ TableName: 'older', Item: { pk: 'kept', sk: 'item' } }));

    expect(await ensureTable(db.endpoint, 'us-east-1', 'older')).toEqual({
      status: 'existing',
      metricIndexSlots: MAX_METRIC_INDEX_SLOTS,
    });
    const indexes = await indexesOf('older');
    expect(indexes.map((index) => index.name).sort()).toEqual(globalIndexes.map((index) => index.indexName).sort());
    expect(indexes.every((index) => index.status === 'ACTIVE')).toBe(true);

    const slot = metricSlotIndex(3);
    await documents.send(
      new PutCommand({
        TableName: 'older',
        Item: { pk: 'run', sk: 'VALUES', [slot.partitionKey]: 'experiment#loss', [slot.sortKey]: '0.5#run', p: 'x' },
      }),
    );
    const found = await documents.send(
      new QueryCommand({
        TableName: 'older',
        IndexName: slot.indexName,
        KeyConditionExpression: `${slot.partitionKey} = :pk`,
        ExpressionAttributeValues: { ':pk': 'experiment#loss' },
      }),
    );
    expect(found.Items).toEqual([expect.objectContaining({ pk: 'run', sk: 'VALUES', p: 'x' })]);
    expect((await ensureTable(db.endpoint, 'us-east-1', 'older')) && (await indexesOf('older'))).toHaveLength(
      globalIndexes.length,
    );
  });

  test('a table gets the slot indexes asked for, gains more when asked, and never loses any', async () => {
    const slotNames = async (table: string) =>
      (await indexesOf(table)).flatMap((index) => (index.name?.startsWith('metricSlot') ? [index.name] : [])).sort();
    const names = (count: number) =>
      globalIndexesWith(count)
        .flatMap((index) => (index.indexName.startsWith('metricSlot') ? [index.indexName] : []))
        .sort();

    expect(await ensureTable(db.endpoint, 'us-east-1', 'few', 2)).toEqual({ status: 'created', metricIndexSlots: 2 });
    expect(await slotNames('few')).toEqual(names(2));
    expect(await indexesOf('few')).toHaveLength(globalIndexesWith(2).length);

    // Asked for fewer than it has: it keeps them (items may be indexed through them) and says so.
    expect(await ensureTable(db.endpoint, 'us-east-1', 'few', 0)).toEqual({ status: 'existing', metricIndexSlots: 2 });
    expect(await slotNames('few')).toEqual(names(2));

    // Asked for more: the missing ones are added.
    expect(await ensureTable(db.endpoint, 'us-east-1', 'few', 4)).toEqual({ status: 'existing', metricIndexSlots: 4 });
    expect(await slotNames('few')).toEqual(names(4));
  });
});
