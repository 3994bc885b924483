import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { type DynamoDbLocal, startDynamoDbLocal } from './dynamodb-local.ts';
import { startLocalServer } from './server.ts';
import { accessDeps } from '../shared/runtime.ts';
import { bootstrapAccess } from '../shared/use-cases/access.ts';
import { defaultWorkspace } from '../shared/use-cases/deps.ts';
import { ensureTable } from './table-bootstrap.ts';

export interface LocalStackOptions {
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  tableName?: string;
  region?: string;
  /** Use this DynamoDB (LocalStack, a running DynamoDB Local) instead of starting one. */
  dynamoDbEndpoint?: string | undefined;
  /** Where DynamoDB Local keeps its file; in memory when absent. */
  dataDirectory?: string | undefined;
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
  /** On first start, the bootstrap admin token to create (else one is generated). */
  bootstrapToken?: string | undefined;
  /** Seconds a token record is trusted before it is read again; 0 in tests that revoke. */
  authCacheSeconds?: number;
}

export interface LocalStack {
  url: string;
  dynamoDbEndpoint: string;
  dynamoDbPid: number | undefined;
  tableName: string;
  tableStatus: 'created' | 'existing';
  /** The bootstrap admin token when this start created the workspace; undefined when it existed. */
  adminToken: string | undefined;
  workspace: string;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolvePort(port));
    });
  });
}

/**
 * The whole local stack: DynamoDB Local (unless an endpoint is given), the table
 * from the shared definition, and the API served by the Lambda handlers. The
 * handlers read their configuration from the environment, as in Lambda, so it
 * is set here before the first handler module loads.
 */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const region = options.region ?? 'us-east-1';
  const tableName = options.tableName ?? 'stratus';
  let dynamoDb: DynamoDbLocal | undefined;
  let endpoint = options.dynamoDbEndpoint;
  if (!endpoint) {
    const dataDirectory = options.dataDirectory ? resolve(options.dataDirectory) : undefined;
    if (dataDirectory) mkdirSync(dataDirectory, { recursive: true });
    dynamoDb = await startDynamoDbLocal({ port: await freePort(), dataDirectory });
    endpoint = dynamoDb.endpoint;
  }
  try {
    // DynamoDB Local accepts any credentials made of letters and digits; LocalStack any at all.
    process.env.AWS_ACCESS_KEY_ID ??= 'local';
    process.env.AWS_SECRET_ACCESS_KEY ??= 'local';
    process.env.AWS_REGION = region;
    process.env.STRATUS_TABLE_NAME = tableName;
    process.env.STRATUS_DYNAMODB_ENDPOINT = endpoint;
    process.env.STRATUS_LOG_LEVEL = options.logLevel ?? 'warn';
    process.env.STRATUS_AUTH_CACHE_SECONDS = String(options.authCacheSeconds ?? 30);
    const tableStatus = await ensureTable(endpoint, region, tableName);
    const bootstrap = await bootstrapAccess(
      { workspaceId: defaultWorkspace, chosenToken: options.bootstrapToken },
      accessDeps(),
    );
    const server = await startLocalServer({ host: options.host ?? '127.0.0.1', port: options.port ?? 0 });
    return {
      url: server.url,
      dynamoDbEndpoint: endpoint,
      dynamoDbPid: dynamoDb?.pid,
      tableName,
      tableStatus,
      adminToken: bootstrap.token,
      workspace: defaultWorkspace,
      stop: async () => {
        await server.close();
        await dynamoDb?.stop();
      },
    };
  } catch (error) {
    await dynamoDb?.stop();
    throw error;
  }
}
