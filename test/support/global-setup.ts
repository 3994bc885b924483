import type { TestProject } from 'vitest/node';
import { startDynamoDbLocal } from '../../local/dynamodb-local.ts';
import { freePort } from '../../local/stack.ts';

/** One in-memory DynamoDB Local for the whole run; each test file uses tables of its own. */
export default async function setup(project: TestProject) {
  const dynamoDb = await startDynamoDbLocal({ port: await freePort() });
  project.provide('dynamoDbEndpoint', dynamoDb.endpoint);
  return async () => {
    await dynamoDb.stop();
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoDbEndpoint: string;
  }
}
