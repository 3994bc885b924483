import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { startDynamoDbLocal } from '../local/dynamodb-local.ts';
import { freePort } from '../local/stack.ts';
import { issueToken } from '../shared/domain/tokens.ts';
import { itemSize } from '../shared/storage/item-size.ts';
import { type GlobalIndexDefinition, globalIndexes } from '../shared/storage/table-definition.ts';
import { MlflowClient, StratusClient, type TrackingClient } from './peer-clients.ts';

/**
 * The systems the peer benchmark compares, each started fresh on loopback as
 * processes of its own (so that their CPU time can be read from /proc): the
 * MLflow tracking server on SQLite (4 workers, proxied artifacts), FastTrackML
 * on SQLite, and Stratus's local stack (DynamoDB Local, the S3 server, the API).
 * MLflow and FastTrackML come from .venv-peers (scripts/setup-peers.sh).
 */
export interface PeerSystem {
  label: string;
  clients: TrackingClient[];
  /** CPU seconds used so far by every process of the system. */
  cpuSeconds(): number;
  /** The same, by process name (java for DynamoDB Local, node for the API, ...): where the time goes. */
  cpuSecondsByName(): Map<string, number>;
  /** What the system stores, in bytes, with a breakdown. */
  /** What the system stores now, in named parts (a SQLite file; a table and each index). */
  storage(): Promise<StorageParts>;
  stop(): Promise<void>;
}

/** Bytes by part, in the order a table prints them. */
export type StorageParts = ReadonlyArray<readonly [part: string, bytes: number]>;

const peersVenv = '.venv-peers';

export function ensurePeers() {
  const setup = spawnSync('bash', ['scripts/setup-peers.sh'], { stdio: 'inherit' });
  if (setup.status !== 0) throw new Error('scripts/setup-peers.sh failed');
}

const ticks = Number(spawnSync('getconf', ['CLK_TCK']).stdout?.toString().trim() || 100);

/** CPU seconds of these processes and all their descendants, from /proc. */
export function treeCpuSeconds(roots: readonly number[]): number {
  let total = 0;
  for (const seconds of treeCpuSecondsByName(roots).values()) total += seconds;
  return total;
}

/** CPU seconds of these processes and all their descendants, summed by process name. */
export function treeCpuSecondsByName(roots: readonly number[]): Map<string, number> {
  const stats = new Map<number, { name: string; parent: number; cpu: number }>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const text = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const name = text.slice(text.indexOf('(') + 1, text.lastIndexOf(')'));
      const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
      stats.set(Number(entry), { name, parent: Number(fields[1]), cpu: Number(fields[11]) + Number(fields[12]) });
    } catch {
      // The process ended while we looked.
    }
  }
  const inTree = (pid: number): boolean => {
    for (let current = pid, hops = 0; current > 1 && hops < 64; hops++) {
      if (roots.includes(current)) return true;
      current = stats.get(current)?.parent ?? 0;
    }
    return false;
  };
  const byName = new Map<string, number>();
  for (const [pid, { name, cpu }] of stats) {
    if (inTree(pid)) byName.set(name, (byName.get(name) ?? 0) + cpu / ticks);
  }
  return byName;
}

async function waitFor(url: string, child: ChildProcess, name: string, timeoutMs = 180_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode} before answering`);
    try {
      const response = await fetch(url);
      await response.arrayBuffer();
      if (response.status < 500) return;
    } catch {
      // Not up yet.
    }
    if (Date.now() > deadline) throw new Error(`${name} did not answer ${url} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/**
 * MLflow's 4 workers start one after the other, well after /health first
 * answers (18-27 s later at load 10-20 here), and a worker still starting
 * closes the connections it is handed ("other side closed": every request of
 * the runs phase failed so). Ready when 16 requests at once all answer, three
 * rounds in a row.
 */
async function waitForWorkers(url: string, child: ChildProcess, name: string, timeoutMs = 180_000) {
  const deadline = Date.now() + timeoutMs;
  for (let good = 0; good < 3;) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode} before answering`);
    const answers = await Promise.allSettled(
      Array.from({ length: 16 }, async () => {
        const response = await fetch(url);
        await response.arrayBuffer();
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
      }),
    );
    good = answers.every((answer) => answer.status === 'fulfilled') ? good + 1 : 0;
    if (Date.now() > deadline) throw new Error(`${name}: not every worker answered ${url} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

function stopChild(child: ChildProcess) {
  return new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.pid === undefined) return resolve();
    child.once('exit', () => resolve());
    // The servers run in process groups of their own: end the group (workers included).
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      child.kill('SIGTERM');
    }
    setTimeout(() => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // Gone.
      }
    }, 10_000).unref();
  });
}

const fileBytes = (...paths: string[]) =>
  paths.reduce((sum, path) => sum + (existsSync(path) ? statSync(path).size : 0), 0);

export async function startMlflow(directory: string): Promise<PeerSystem> {
  const port = await freePort();
  const database = join(directory, 'mlflow.db');
  const child = spawn(
    join(peersVenv, 'mlflow', 'bin', 'mlflow'),
    [
      'server',
      '--backend-store-uri',
      `sqlite:///${database}`,
      '--serve-artifacts',
      '--artifacts-destination',
      join(directory, 'artifacts'),
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
      '--workers',
      '4',
      // uvicorn kills a worker that misses a 5-second health check and closes connections idle for 5 s: on a
      // loaded machine either ends a request with 'other side closed' (a worker restarted mid-phase failed whole
      // runs phases). Stratus's local server keeps idle connections 65 s and restarts nothing.
      '--uvicorn-opts',
      '--timeout-keep-alive 65 --timeout-worker-healthcheck 60',
    ],
    { stdio: ['ignore', 'ignore', 'ignore'], detached: true },
  );
  const url = `http://127.0.0.1:${port}`;
  await waitFor(`${url}/health`, child, 'mlflow server');
  await waitForWorkers(`${url}/health`, child, 'mlflow server');
  return {
    label: 'MLflow',
    clients: [new MlflowClient('MLflow', url)],
    cpuSeconds: () => treeCpuSeconds([child.pid as number]),
    cpuSecondsByName: () => treeCpuSecondsByName([child.pid as number]),
    storage: async () => [['SQLite file', fileBytes(database, `${database}-wal`)]],
    stop: () => stopChild(child),
  };
}

export async function startFastTrackMl(directory: string): Promise<PeerSystem> {
  const port = await freePort();
  const database = join(directory, 'fml.db');
  const child = spawn(
    join(peersVenv, 'fasttrackml', 'bin', 'fml'),
    [
      'server',
      '--listen-address',
      `127.0.0.1:${port}`,
      '--database-uri',
      // FastTrackML's URI takes the absolute path after `sqlite://` (MLflow's takes a third slash).
      `sqlite://${database}`,
      '--default-artifact-root',
      join(directory, 'artifacts'),
    ],
    { stdio: ['ignore', 'ignore', 'ignore'], detached: true },
  );
  const url = `http://127.0.0.1:${port}`;
  await waitFor(`${url}/health`, child, 'FastTrackML');
  return {
    label: 'FastTrackML',
    clients: [new MlflowClient('FastTrackML', url)],
    cpuSeconds: () => treeCpuSeconds([child.pid as number]),
    cpuSecondsByName: () => treeCpuSecondsByName([child.pid as number]),
    storage: async () => [['SQLite file', fileBytes(database, `${database}-wal`)]],
    stop: () => stopChild(child),
  };
}

/**
 * Stratus's local stack as `npm start` runs it (DynamoDB Local on disk, the S3
 * server, the API), in a process of its own. DynamoDB Local is started here so
 * the table can be scanned for its logical size afterwards.
 */
export async function startStratus(directory: string): Promise<PeerSystem> {
  mkdirSync(join(directory, 'dynamodb'), { recursive: true });
  const dynamoDb = await startDynamoDbLocal({ port: await freePort(), dataDirectory: join(directory, 'dynamodb') });
  const port = await freePort();
  const token = issueToken().token;
  const tableName = 'stratus-peer';
  const child = spawn(process.execPath, ['--import', 'tsx', 'local/start.ts'], {
    stdio: ['ignore', 'ignore', 'inherit'],
    detached: true,
    env: {
      ...process.env,
      STRATUS_PORT: String(port),
      STRATUS_DATA_DIR: join(directory, 'stratus'),
      STRATUS_DYNAMODB_ENDPOINT: dynamoDb.endpoint,
      STRATUS_TABLE_NAME: tableName,
      STRATUS_TOKEN: token,
      STRATUS_LOG_LEVEL: 'error',
    },
  });
  const url = `http://127.0.0.1:${port}`;
  // The API, DynamoDB Local and its WAL checkpointer: all of the server's CPU.
  const stratusPids = () =>
    [child.pid, dynamoDb.pid, dynamoDb.checkpointerPid].filter((pid): pid is number => pid !== undefined);
  await waitFor(`${url}/api/v1/openapi.json`, child, 'the Stratus local stack');
  const clients: TrackingClient[] = [new StratusClient(url, token)];
  // The MLflow dialect, once the service serves it: the same workload through MLflow's API.
  const probe = await fetch(`${url}/api/2.0/mlflow/experiments/search`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ max_results: 1 }),
  });
  await probe.arrayBuffer();
  if (probe.status !== 404) {
    clients.push(new MlflowClient('Stratus (MLflow API)', url, { authorization: `Bearer ${token}` }));
  }
  const dynamo = new DynamoDBClient({
    region: 'us-east-1',
    endpoint: dynamoDb.endpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const documents = DynamoDBDocumentClient.from(dynamo);
  return {
    label: 'Stratus',
    clients,
    cpuSeconds: () => treeCpuSeconds(stratusPids()),
    cpuSecondsByName: () => treeCpuSecondsByName(stratusPids()),
    storage: async () => {
      // The GSIs the table has: the local stack's has no metric slot GSIs unless asked (local/table-bootstrap.ts).
      const { Table } = await dynamo.send(new DescribeTableCommand({ TableName: tableName }));
      const present = new Set((Table?.GlobalSecondaryIndexes ?? []).map((index) => index.IndexName));
      const { table, indexes } = await tableStorage(
        documents,
        tableName,
        globalIndexes.filter((index) => present.has(index.indexName)),
      );
      return [['table', table], ...Object.entries(indexes)];
    },
    stop: async () => {
      await stopChild(child);
      documents.destroy();
      await dynamoDb.stop();
    },
  };
}

/**
 * A table's logical size as DynamoDB bills storage: each item's size plus 100
 * bytes, and for each index entry the projected attributes plus 100 bytes.
 */
export async function tableStorage(
  documents: DynamoDBDocumentClient,
  tableName: string,
  globalIndexes: readonly GlobalIndexDefinition[],
): Promise<{ table: number; indexes: Record<string, number> }> {
  let table = 0;
  const indexes: Record<string, number> = Object.fromEntries(globalIndexes.map((index) => [index.indexName, 0]));
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await documents.send(new ScanCommand({ TableName: tableName, ExclusiveStartKey: startKey }));
    for (const item of page.Items ?? []) {
      table += itemSize(item) + 100;
      for (const index of globalIndexes) {
        if (item[index.partitionKey] === undefined) continue;
        const projected =
          index.projection === 'ALL'
            ? item
            : Object.fromEntries(
                ['pk', 'sk', index.partitionKey, index.sortKey].map((attribute) => [attribute, item[attribute]]),
              );
        indexes[index.indexName] = (indexes[index.indexName] ?? 0) + itemSize(projected) + 100;
      }
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return { table, indexes };
}
