import { GetCommand, PutCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { declaredGrants, enforceRouteGrants, requiredGrants, withRouteGrants } from '../../local/route-grants.ts';
import { routes } from '../../shared/http/route-table.ts';
import { createS3Client } from '../../shared/storage/artifact-store.ts';
import { observeStorageCommands } from '../../shared/storage/command-observer.ts';
import { createDocumentClient } from '../../shared/storage/dynamo-client.ts';

describe('the IAM actions a command needs', () => {
  test('item commands, queries on an index, transactions item by item, S3 multipart steps', () => {
    expect(requiredGrants({ service: 'dynamodb', name: 'GetItemCommand', input: {} })).toEqual(['dynamodb:GetItem']);
    expect(requiredGrants({ service: 'dynamodb', name: 'BatchWriteItemCommand', input: {} })).toEqual([
      'dynamodb:BatchWriteItem',
    ]);
    expect(requiredGrants({ service: 'dynamodb', name: 'QueryCommand', input: { IndexName: 'gsi2' } })).toEqual([
      'dynamodb:Query',
      'dynamodb:Query@gsi2',
    ]);
    expect(
      requiredGrants({
        service: 'dynamodb',
        name: 'TransactWriteItemsCommand',
        input: { TransactItems: [{ Put: {} }, { ConditionCheck: {} }, { Put: {} }] },
      }),
    ).toEqual(['dynamodb:PutItem', 'dynamodb:ConditionCheckItem']);
    expect(requiredGrants({ service: 's3', name: 'UploadPartCommand', input: {} })).toEqual(['s3:PutObject']);
    expect(requiredGrants({ service: 's3', name: 'HeadObjectCommand', input: {} })).toEqual(['s3:GetObject']);
  });

  test("a route's declaration, in the same notation", () => {
    expect([...declaredGrants(routes.listRuns)].sort()).toEqual(
      ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:Query@gsi1'].sort(),
    );
  });
});

describe('the local stand-in for IAM refuses what a route did not declare, before anything is sent', () => {
  // Nothing listens on this port: a command that got past the check would fail differently.
  const client = createDocumentClient({ region: 'us-east-1', endpoint: 'http://127.0.0.1:9' });
  const s3 = createS3Client({ region: 'us-east-1', endpoint: 'http://127.0.0.1:9' });
  beforeAll(() => enforceRouteGrants());
  afterAll(() => observeStorageCommands(undefined));

  test('an undeclared action, an undeclared index and an undeclared bucket action are refused', async () => {
    await expect(
      withRouteGrants(routes.getRun, () => client.send(new PutCommand({ TableName: 't', Item: { pk: 'a', sk: 'b' } }))),
    ).rejects.toThrow('getRun is not granted dynamodb:PutItem');
    await expect(
      withRouteGrants(routes.listRuns, () =>
        client.send(new QueryCommand({ TableName: 't', IndexName: 'gsi2', KeyConditionExpression: 'pk = :p' })),
      ),
    ).rejects.toThrow('listRuns is not granted dynamodb:Query@gsi2');
    await expect(
      withRouteGrants(routes.createExperiment, () =>
        client.send(new TransactWriteCommand({ TransactItems: [{ Delete: { TableName: 't', Key: { pk: 'a' } } }] })),
      ),
    ).rejects.toThrow('createExperiment is not granted dynamodb:DeleteItem');
    await expect(
      withRouteGrants(routes.getRun, () =>
        s3.presign({ command: 'PutObjectCommand', method: 'PUT', bucket: 'b', key: 'k', expiresInSeconds: 60 }),
      ),
    ).rejects.toThrow('getRun is not granted s3:PutObject');
  });

  test('a declared action passes the check (and then fails only at the closed port)', async () => {
    const attempt = withRouteGrants(routes.getRun, () =>
      client.send(new GetCommand({ TableName: 't', Key: { pk: 'a', sk: 'b' } })),
    );
    await expect(attempt).rejects.toThrow();
    await expect(attempt).rejects.not.toThrow(/not granted/);
  });
});
