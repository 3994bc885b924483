import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, inject } from 'vitest';
import { type LocalStack, type LocalStackOptions, startLocalStack } from '../../local/stack.ts';
import { issueToken } from '../../shared/domain/tokens.ts';
import { MAX_METRIC_INDEX_SLOTS } from '../../shared/storage/table-definition.ts';

export interface TestStack extends LocalStack {
  /** The admin token of workspace "default", created at start. */
  token: string;
}

export type TestStackOptions = Pick<
  LocalStackOptions,
  | 'authCacheSeconds'
  | 'artifactUrlTtlSeconds'
  | 'multipartThresholdBytes'
  | 'partSizeBytes'
  | 'dynamoDbEndpoint'
  | 's3'
  | 'awsAttemptTimeoutMs'
  | 'apiType'
  | 'metricIndexSlots'
>;

/**
 * The local stack on a free loopback port, on a table and a bucket of this test
 * file's own (on the run's shared DynamoDB Local and S3 server), with a known admin token.
 */
export async function startTestStack(options: TestStackOptions = {}): Promise<TestStack> {
  const token = issueToken().token;
  const id = randomUUID().slice(0, 8);
  const stack = await startLocalStack({
    ...options,
    port: 0,
    tableName: `test-${id}`,
    artifactsBucket: `test-${id}`,
    dynamoDbEndpoint: options.dynamoDbEndpoint ?? inject('dynamoDbEndpoint'),
    s3: options.s3 ?? inject('s3'),
    logLevel: 'error',
    bootstrapToken: token,
    authCacheSeconds: options.authCacheSeconds ?? 30,
    // A deployed table's slot GSIs unless asked (the local stack's default has none): what runs in AWS.
    metricIndexSlots: options.metricIndexSlots ?? MAX_METRIC_INDEX_SLOTS,
  });
  return { ...stack, token };
}

/**
 * Starts a test stack for the calling test file (beforeAll) and stops it
 * (afterAll); `stack` and `api`, an admin client, are set once it is up.
 */
export function useTestStack(options: Parameters<typeof startTestStack>[0] = {}) {
  const local = {} as { stack: TestStack; api: ApiClient };
  beforeAll(async () => {
    local.stack = await startTestStack(options);
    local.api = apiClient(local.stack.url, local.stack.token);
  });
  afterAll(() => local.stack?.stop());
  return local;
}

/** A document client on a test stack's table, for tests that write or read items directly (as older versions left them). */
export function tableDocumentClient(stack: Pick<LocalStack, 'dynamoDbEndpoint'>): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(
    new DynamoDBClient({
      endpoint: stack.dynamoDbEndpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    }),
  );
}

export type ApiClient = ReturnType<typeof apiClient>;

export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

/** A small JSON client for the local API; sends `token` as a bearer token unless it is undefined. */
export function apiClient(baseUrl: string, token?: string) {
  const call = async <T = any>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<ApiResponse<T>> => {
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      // Redirects (to presigned S3 URLs) are answers to check, not to follow.
      redirect: 'manual',
      headers: {
        'content-type': 'application/json',
        ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // leave non-JSON bodies as text
    }
    return { status: response.status, headers: response.headers, body: parsed as T };
  };
  return {
    call,
    get: <T = any>(path: string) => call<T>('GET', path),
    post: <T = any>(path: string, body?: unknown, headers?: Record<string, string>) =>
      call<T>('POST', path, body, headers),
    patch: <T = any>(path: string, body?: unknown) => call<T>('PATCH', path, body),
    delete: <T = any>(path: string) => call<T>('DELETE', path),
  };
}
