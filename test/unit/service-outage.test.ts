import type { IncomingMessage, ServerResponse } from 'node:http';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, test } from 'vitest';
import { ServiceUnavailableError } from '../../shared/errors.ts';
import { createS3Client } from '../../shared/storage/artifact-store.ts';
import { createDocumentClient } from '../../shared/storage/dynamo-client.ts';
import { freePort } from '../../local/stack.ts';
import { loopbackServers } from '../support/loopback-server.ts';

/**
 * Both AWS clients (the SDK's for DynamoDB, shared/storage/s3-rest.ts for S3) turn every kind of outage (after their own retries) into a
 * ServiceUnavailableError, and leave the errors that are the caller's fault
 * alone. Loopback servers play the failing service.
 */
process.env.AWS_ACCESS_KEY_ID ??= 'local';
process.env.AWS_SECRET_ACCESS_KEY ??= 'local';

const serve = loopbackServers();

const dynamoAnswer = (status: number, type: string) => (_: IncomingMessage, response: ServerResponse) => {
  response.writeHead(status, { 'content-type': 'application/x-amz-json-1.0' });
  response.end(JSON.stringify({ __type: `com.amazonaws.dynamodb.v20120810#${type}`, message: 'x' }));
};
const s3Answer = (status: number, code: string) => (_: IncomingMessage, response: ServerResponse) => {
  response.writeHead(status, { 'content-type': 'application/xml' });
  response.end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>x</Message></Error>`);
};
const dropConnection = (request: IncomingMessage) => request.socket.destroy();

async function dynamoGet(endpoint: string) {
  const client = createDocumentClient({ region: 'us-east-1', endpoint });
  try {
    return await client.send(new GetCommand({ TableName: 't', Key: { pk: 'a', sk: 'b' } }));
  } finally {
    client.destroy();
  }
}

async function s3Head(endpoint: string) {
  const client = createS3Client({ region: 'us-east-1', endpoint });
  try {
    return await client.send({ command: 'HeadObjectCommand', method: 'HEAD', bucket: 'b', key: 'k' });
  } finally {
    client.destroy();
  }
}

describe('DynamoDB', () => {
  test.each([
    ['throttling', dynamoAnswer(400, 'ThrottlingException'), 1],
    ['provisioned throughput exceeded', dynamoAnswer(400, 'ProvisionedThroughputExceededException'), 1],
    ['a 500', dynamoAnswer(500, 'InternalServerError'), 2],
    ['a 503', dynamoAnswer(503, 'ServiceUnavailable'), 2],
    ['a dropped connection', dropConnection, 2],
  ] as const)('%s becomes a 503 with its Retry-After', async (_, handler, retryAfter) => {
    const endpoint = await serve(handler);
    const error = await dynamoGet(endpoint).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ServiceUnavailableError);
    expect((error as ServiceUnavailableError).retryAfterSeconds).toBe(retryAfter);
  });

  test('connection refused becomes a 503', async () => {
    const error = await dynamoGet(`http://127.0.0.1:${await freePort()}`).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ServiceUnavailableError);
  });

  test("the caller's mistakes stay what they are", async () => {
    const endpoint = await serve(dynamoAnswer(400, 'ValidationException'));
    const error = await dynamoGet(endpoint).catch((caught: unknown) => caught);
    expect(error).not.toBeInstanceOf(ServiceUnavailableError);
    expect((error as Error).name).toBe('ValidationException');
  });
});

describe('S3', () => {
  test.each([
    ['SlowDown', s3Answer(503, 'SlowDown')],
    ['a 500', s3Answer(500, 'InternalError')],
    ['a dropped connection', dropConnection],
  ] as const)('%s becomes a 503', async (_, handler) => {
    const endpoint = await serve(handler);
    await expect(s3Head(endpoint)).rejects.toBeInstanceOf(ServiceUnavailableError);
  });

  test('connection refused becomes a 503', async () => {
    await expect(s3Head(`http://127.0.0.1:${await freePort()}`)).rejects.toBeInstanceOf(ServiceUnavailableError);
  });

  test('a 403 stays a 403', async () => {
    const endpoint = await serve(s3Answer(403, 'AccessDenied'));
    const error = await s3Head(endpoint).catch((caught: unknown) => caught);
    expect(error).not.toBeInstanceOf(ServiceUnavailableError);
  });
});
