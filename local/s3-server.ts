import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Supervision, superviseChildServer } from './child-server.ts';

export interface S3Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

export interface LocalS3Server {
  endpoint: string;
  pid: number | undefined;
  credentials: S3Credentials;
  stop(): Promise<void>;
}

export interface LocalS3ServerOptions {
  port: number;
  /** Absolute directory holding one sub-directory per bucket. */
  dataDirectory: string;
  /** What to do when it dies after starting (see local/child-server.ts); a restart keeps the credentials. */
  supervision?: Supervision | undefined;
}

const repositoryRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
/** Built by scripts/install-s3-server.sh (run by `npm run setup`). */
export const versityGatewayBinary = join(repositoryRoot, 'tools', 'bin', 'versitygw');

/**
 * Starts versitygw with its posix backend on 127.0.0.1: a real S3 API that
 * checks SigV4 signatures, expiry and signed headers (docs/artifacts.md has the
 * measurements). Its root credentials are random for each start and made of
 * letters and digits only, so DynamoDB Local accepts the same pair: the local
 * stack hands them to every SDK client through the environment.
 */
export async function startLocalS3Server(options: LocalS3ServerOptions): Promise<LocalS3Server> {
  if (!existsSync(versityGatewayBinary)) {
    throw new Error(`the local S3 server is not installed at ${versityGatewayBinary}: run \`npm run setup\``);
  }
  mkdirSync(options.dataDirectory, { recursive: true });
  const credentials: S3Credentials = {
    accessKeyId: `stratus${randomBytes(6).toString('hex')}`,
    secretAccessKey: randomBytes(24).toString('hex'),
  };
  const endpoint = `http://127.0.0.1:${options.port}`;
  const server = await superviseChildServer(
    {
      name: 'versitygw',
      command: versityGatewayBinary,
      args: ['--port', `127.0.0.1:${options.port}`, '--quiet', 'posix', options.dataDirectory],
      // Credentials go through the environment, not argv, so `ps` does not show them.
      env: {
        ...process.env,
        ROOT_ACCESS_KEY_ID: credentials.accessKeyId,
        ROOT_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      },
      ready: () => waitUntilAnswering(endpoint),
    },
    options.supervision,
  );
  return {
    endpoint,
    credentials,
    get pid() {
      return server.pid;
    },
    stop: () => server.stop(),
  };
}

/** Any HTTP answer (an unsigned request gets 403) means the gateway is serving. */
async function waitUntilAnswering(endpoint: string, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const response = await fetch(endpoint);
      await response.body?.cancel();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`versitygw did not answer within ${timeoutMs} ms: ${error}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}
