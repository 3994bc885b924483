import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startDynamoDbLocal } from '../../local/dynamodb-local.ts';
import { localStackCredentials, startLocalStackServer } from '../../local/localstack.ts';
import { type S3Credentials, startLocalS3Server } from '../../local/s3-server.ts';
import { freePort } from '../../local/stack.ts';

/**
 * One in-memory DynamoDB Local and one S3 server (versitygw, which checks
 * signatures) for the whole run; each test file uses a table and a bucket of
 * its own. Both are stopped, and the S3 data removed, at teardown.
 * With STRATUS_TEST_BACKEND=localstack, LocalStack serves both instead
 * (`npm run test:localstack`, docs/localstack.md).
 */
export default async function setup(project: TestProject) {
  if (process.env.STRATUS_TEST_BACKEND === 'localstack') {
    const localStack = await startLocalStackServer({ port: await freePort() });
    project.provide('dynamoDbEndpoint', localStack.endpoint);
    project.provide('s3', { endpoint: localStack.endpoint, credentials: localStackCredentials });
    return () => localStack.stop();
  }
  const s3Data = mkdtempSync(join(tmpdir(), 'stratus-test-s3-'));
  const [dynamoDb, s3] = await Promise.all([
    startDynamoDbLocal({ port: await freePort() }),
    startLocalS3Server({ port: await freePort(), dataDirectory: s3Data }),
  ]);
  project.provide('dynamoDbEndpoint', dynamoDb.endpoint);
  project.provide('s3', { endpoint: s3.endpoint, credentials: s3.credentials });
  return async () => {
    await Promise.all([dynamoDb.stop(), s3.stop()]);
    rmSync(s3Data, { recursive: true, force: true });
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoDbEndpoint: string;
    s3: { endpoint: string; credentials: S3Credentials };
  }
}
