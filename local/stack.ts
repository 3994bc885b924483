import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureBucket } from './bucket-bootstrap.ts';
import type { Supervision } from './child-server.ts';
import { type DataDirectoryLock, lockDataDirectory } from './data-lock.ts';
import { type DynamoDbLocal, startDynamoDbLocal } from './dynamodb-local.ts';
import { type LocalS3Server, type S3Credentials, startLocalS3Server } from './s3-server.ts';
import { startLocalServer } from './server.ts';
import { webApp } from './web-app.ts';
import { accessDeps } from '../shared/runtime.ts';
import { createDocumentClient } from '../shared/storage/dynamo-client.ts';
import { migrateRegistryIndexes } from '../shared/storage/registry-index-migration.ts';
import { migrateParamRows } from '../shared/storage/param-row-migration.ts';
import { migrateChildIndex } from '../shared/storage/child-index-migration.ts';
import { migrateRunIoCopies, migrateRunIoMarks } from '../shared/storage/run-io-migration.ts';
import { bootstrapAccess } from '../shared/use-cases/access.ts';
import { defaultWorkspace } from '../shared/use-cases/deps.ts';
import { ensureTable, LOCAL_METRIC_INDEX_SLOTS } from './table-bootstrap.ts';

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
  /**
   * Use this S3 (LocalStack, or the tests' shared versitygw) instead of starting
   * versitygw; `credentials` when it needs particular ones (else the environment's).
   */
  s3?: { endpoint: string; credentials?: S3Credentials | undefined } | undefined;
  /** Where the started versitygw keeps its buckets; a temporary directory, removed at stop, when absent. */
  s3DataDirectory?: string | undefined;
  artifactsBucket?: string;
  /** Presigned URL lifetime, multipart threshold and part size (see shared/config.ts); defaults otherwise. */
  artifactUrlTtlSeconds?: number;
  multipartThresholdBytes?: number;
  partSizeBytes?: number;
  /**
   * Time limit of each DynamoDB/S3 call attempt. DynamoDB Local on a busy laptop
   * can take seconds where DynamoDB takes milliseconds, so the local default is
   * 8 s instead of the functions' own (shared/storage/service-outage.ts).
   */
  awsAttemptTimeoutMs?: number;
  /** The secret page tokens are sealed with (at least 32 characters); a random one per start when absent. */
  pageTokenSecret?: string | undefined;
  /** Lines about the child servers (one died, restarted, cleaned up); stderr when absent. */
  log?: (message: string) => void;
  /**
   * A child server died and could not be brought back; the stack has stopped
   * itself by the time this runs. `npm start` exits with an error here.
   */
  onFailure?: (error: Error) => void;
  /** The built web app served at / (default `web/dist`); false for the API alone. */
  webRoot?: string | false;
  /** Which API Gateway's events the handlers get: an HTTP API's (default) or a REST API's (`stratus:apiType`). */
  apiType?: 'http' | 'rest';
  /**
   * Metric slot GSIs of a new table (default LOCAL_METRIC_INDEX_SLOTS, fewer
   * than a deployed table's 16: see table-bootstrap.ts). An existing table keeps
   * what it has; the functions are told the count the table has.
   */
  metricIndexSlots?: number;
}

export interface LocalStack {
  url: string;
  dynamoDbEndpoint: string;
  dynamoDbPid: number | undefined;
  tableName: string;
  tableStatus: 'created' | 'existing';
  /** Metric slot GSIs the table has. */
  metricIndexSlots: number;
  /** The bootstrap admin token when this start created the workspace; undefined when it existed. */
  adminToken: string | undefined;
  workspace: string;
  s3Endpoint: string;
  s3Pid: number | undefined;
  artifactsBucket: string;
  bucketStatus: 'created' | 'existing';
  stop(): Promise<void>;
}

const repositoryRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Ports this process handed out lately. A port is free when probed, not when its
 * server binds it: two servers started side by side (DynamoDB Local's JVM takes
 * a second to bind) were once given the same port, and one failed to start.
 */
const handedOut: number[] = [];

/** A loopback port nothing listens on now, and not one this process handed out lately. */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = await probePort();
    if (handedOut.includes(port)) continue;
    handedOut.push(port);
    if (handedOut.length > 1024) handedOut.shift();
    return port;
  }
}

function probePort(): Promise<number> {
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
 * The whole local stack: DynamoDB Local and versitygw (unless endpoints are
 * given), the table from the shared definition, the artifacts bucket, and the
 * API served by the Lambda handlers. The
 * handlers read their configuration from the environment, as in Lambda, so it
 * is set here before the first handler module loads.
 */
async function migrateLocalTable(endpoint: string, region: string, tableName: string, log: (line: string) => void) {
  const client = createDocumentClient({ region, endpoint });
  try {
    const done = await migrateParamRows(client, tableName);
    if (done.experiments > 0) {
      log(`migrated ${done.runs} runs of ${done.experiments} experiments to param rows (docs/search.md)`);
    }
    const registry = await migrateRegistryIndexes(client, tableName);
    if (registry.models + registry.versions > 0) {
      log(
        `put ${registry.models} models and ${registry.versions} versions on their by-update lists (docs/data-model.md)`,
      );
    }
    const io = await migrateRunIoMarks(client, tableName);
    if (io.experiments > 0) log(`marked ${io.runs} runs of ${io.experiments} experiments with IO (docs/search.md)`);
    const copies = await migrateRunIoCopies(client, tableName);
    if (copies.experiments > 0) {
      log(`kept copies of the IO of ${copies.runs} runs of ${copies.experiments} experiments (docs/search.md)`);
    }
    const children = await migrateChildIndex(client, tableName);
    if (children.experiments > 0) {
      log(`indexed ${children.runs} child runs of ${children.experiments} experiments (docs/search.md)`);
    }
  } finally {
    client.destroy();
  }
}

export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const region = options.region ?? 'us-east-1';
  const tableName = options.tableName ?? 'stratus';
  const artifactsBucket = options.artifactsBucket ?? 'stratus-artifacts';
  const log = options.log ?? ((message: string) => process.stderr.write(`local stack: ${message}\n`));
  const wantedSlots = options.metricIndexSlots ?? LOCAL_METRIC_INDEX_SLOTS;
  let dynamoDb: DynamoDbLocal | undefined;
  let s3Server: LocalS3Server | undefined;
  let s3Scratch: string | undefined;
  const locks: DataDirectoryLock[] = [];
  let stopApi: (() => Promise<void>) | undefined;
  let stopped: Promise<void> | undefined;
  const stopAll = () => {
    stopped ??= (async () => {
      await stopApi?.();
      await Promise.all([dynamoDb?.stop(), s3Server?.stop()]);
      if (s3Scratch) rmSync(s3Scratch, { recursive: true, force: true });
      for (const lock of locks) lock.release();
    })();
    return stopped;
  };
  const supervision = (restart: Supervision['restart']): Supervision => ({
    log,
    restart,
    onFailure: (error) => {
      log(`${error.message}; stopping the local stack`);
      void stopAll().then(() => options.onFailure?.(error));
    },
  });
  let endpoint = options.dynamoDbEndpoint;
  try {
    if (!endpoint) {
      const dataDirectory = options.dataDirectory ? resolve(options.dataDirectory) : undefined;
      const lock = dataDirectory ? await lockDataDirectory(dataDirectory, log) : undefined;
      if (lock) locks.push(lock);
      const recordChild = () => lock?.setChildren([{ name: 'DynamoDB Local', pid: dynamoDb?.pid }]);
      // Restarted on its database file; an in-memory database cannot come back with its data, so the stack stops.
      const restart = dataDirectory
        ? {
            afterRestart: async () => {
              await ensureTable(endpoint, region, tableName, wantedSlots);
              recordChild();
            },
          }
        : undefined;
      dynamoDb = await startDynamoDbLocal({ port: await freePort(), dataDirectory, supervision: supervision(restart) });
      recordChild();
      endpoint = dynamoDb.endpoint;
    }
    let s3Endpoint = options.s3?.endpoint;
    let credentials = options.s3?.credentials;
    if (!s3Endpoint) {
      s3Scratch = options.s3DataDirectory ? undefined : mkdtempSync(join(tmpdir(), 'stratus-s3-'));
      const s3DataDirectory = options.s3DataDirectory ? resolve(options.s3DataDirectory) : (s3Scratch as string);
      const lock = options.s3DataDirectory ? await lockDataDirectory(s3DataDirectory, log) : undefined;
      if (lock) locks.push(lock);
      const recordChild = () => lock?.setChildren([{ name: 'versitygw', pid: s3Server?.pid }]);
      s3Server = await startLocalS3Server({
        port: await freePort(),
        dataDirectory: s3DataDirectory,
        supervision: supervision({
          afterRestart: async () => {
            await ensureBucket(s3Endpoint as string, region, artifactsBucket);
            recordChild();
          },
        }),
      });
      recordChild();
      s3Endpoint = s3Server.endpoint;
      credentials = s3Server.credentials;
    }
    // Every SDK client takes its credentials from the environment, as in Lambda. The local S3
    // server's keys are letters and digits, which DynamoDB Local accepts too; LocalStack takes any.
    if (credentials) {
      process.env.AWS_ACCESS_KEY_ID = credentials.accessKeyId;
      process.env.AWS_SECRET_ACCESS_KEY = credentials.secretAccessKey;
    }
    process.env.AWS_ACCESS_KEY_ID ??= 'local';
    process.env.AWS_SECRET_ACCESS_KEY ??= 'local';
    process.env.AWS_REGION = region;
    process.env.STRATUS_TABLE_NAME = tableName;
    process.env.STRATUS_DYNAMODB_ENDPOINT = endpoint;
    process.env.STRATUS_LOG_LEVEL = options.logLevel ?? 'warn';
    process.env.STRATUS_AUTH_CACHE_SECONDS = String(options.authCacheSeconds ?? 30);
    process.env.STRATUS_PAGE_TOKEN_SECRET = options.pageTokenSecret ?? randomBytes(32).toString('base64url');
    process.env.STRATUS_AWS_ATTEMPT_TIMEOUT_MS = String(options.awsAttemptTimeoutMs ?? 8000);
    process.env.STRATUS_S3_ENDPOINT = s3Endpoint;
    process.env.STRATUS_ARTIFACTS_BUCKET = artifactsBucket;
    const artifactSettings = {
      STRATUS_ARTIFACT_URL_TTL_SECONDS: options.artifactUrlTtlSeconds,
      STRATUS_MULTIPART_THRESHOLD_BYTES: options.multipartThresholdBytes,
      STRATUS_MULTIPART_PART_SIZE_BYTES: options.partSizeBytes,
    };
    for (const [name, value] of Object.entries(artifactSettings)) {
      if (value !== undefined) process.env[name] = String(value);
    }
    const { status: tableStatus, metricIndexSlots } = await ensureTable(endpoint, region, tableName, wantedSlots);
    process.env.STRATUS_METRIC_INDEX_SLOTS = String(metricIndexSlots);
    // A table from an older version: what `npm run migrate` does after a deploy, done here at start.
    if (tableStatus === 'existing') await migrateLocalTable(endpoint, region, tableName, log);
    const bucketStatus = await ensureBucket(s3Endpoint, region, artifactsBucket);
    const bootstrap = await bootstrapAccess(
      { workspaceId: defaultWorkspace, chosenToken: options.bootstrapToken },
      accessDeps(),
    );
    const webRoot = options.webRoot ?? join(repositoryRoot, 'web', 'dist');
    const server = await startLocalServer({
      host: options.host ?? '127.0.0.1',
      port: options.port ?? 0,
      apiType: options.apiType,
      web: webRoot === false ? undefined : webApp({ root: webRoot, artifactOrigins: [new URL(s3Endpoint).origin] }),
    });
    stopApi = () => server.close();
    return {
      url: server.url,
      dynamoDbEndpoint: endpoint,
      get dynamoDbPid() {
        return dynamoDb?.pid;
      },
      tableName,
      tableStatus,
      metricIndexSlots,
      adminToken: bootstrap.token,
      workspace: defaultWorkspace,
      s3Endpoint,
      get s3Pid() {
        return s3Server?.pid;
      },
      artifactsBucket,
      bucketStatus,
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
