import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { expect, test } from 'vitest';
import { createDocumentClient } from '../../shared/storage/dynamo-client.ts';
import { loopbackServers } from '../support/loopback-server.ts';

/**
 * The document client is built for speed on bulk reads (dynamo-client.ts): binary
 * values decoded without the SDK's regular-expression check, and no logger
 * middleware copying every response. A loopback server plays DynamoDB.
 */
process.env.AWS_ACCESS_KEY_ID ??= 'local';
process.env.AWS_SECRET_ACCESS_KEY ??= 'local';

const serve = loopbackServers();

test('binary attributes arrive as the exact bytes DynamoDB sent, binary sets too', async () => {
  const bytes = Uint8Array.from({ length: 97 }, (_, i) => (i * 37 + 5) % 256);
  const other = Uint8Array.of(0, 255, 128);
  const endpoint = await serve((_, response) => {
    response.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
    response.end(
      JSON.stringify({
        Item: {
          pk: { S: 'a' },
          d: { B: Buffer.from(bytes).toString('base64') },
          s: { BS: [Buffer.from(other).toString('base64'), ''] },
        },
      }),
    );
  });
  const client = createDocumentClient({ region: 'us-east-1', endpoint });
  try {
    const { Item } = await client.send(new GetCommand({ TableName: 't', Key: { pk: 'a', sk: 'b' } }));
    const value = Item?.d as Uint8Array;
    expect(value).toBeInstanceOf(Uint8Array);
    expect([...value]).toEqual([...bytes]);
    expect([...(Item?.s as Set<Uint8Array>)].map((element) => [...element])).toEqual([[...other], []]);
  } finally {
    client.destroy();
  }
});

test('the client carries no logger middleware', () => {
  const client = createDocumentClient({ region: 'us-east-1', endpoint: 'http://127.0.0.1:9' });
  try {
    expect(client.middlewareStack.identify().filter((name) => name.startsWith('loggerMiddleware'))).toEqual([]);
  } finally {
    client.destroy();
  }
});
