import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { withParentDeathSignal } from './child-server.ts';

/**
 * LocalStack's S3 and DynamoDB on the host, without Docker (docs/localstack.md):
 * localstack-core from tools/localstack (scripts/install-localstack.sh) with the
 * settings measured in shared/LOCAL-AWS.md. It runs in a process group of its
 * own, so stopping it also stops the DynamoDB Local JVM it starts.
 */

const repositoryRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const installRoot = join(repositoryRoot, 'tools', 'localstack');
export const localStackPython = join(installRoot, 'venv', 'bin', 'python');

/** LocalStack takes any key pair; DynamoDB Local behind it wants letters and digits. */
export const localStackCredentials = { accessKeyId: 'test', secretAccessKey: 'test' };

export interface LocalStackServer {
  endpoint: string;
  pid: number | undefined;
  stop(): Promise<void>;
}

export async function startLocalStackServer(options: { port: number }): Promise<LocalStackServer> {
  if (!existsSync(localStackPython)) {
    throw new Error(`LocalStack is not installed at ${installRoot}: run \`bash scripts/install-localstack.sh\``);
  }
  // Each start gets fresh state; the prepared DynamoDB Local is linked in from the install.
  const state = mkdtempSync(join(tmpdir(), 'stratus-localstack-'));
  const lib = join(state, 'var', 'lib', 'localstack');
  mkdirSync(lib, { recursive: true });
  symlinkSync(join(installRoot, 'var', 'lib', 'localstack', 'lib'), join(lib, 'lib'));
  const endpoint = `http://127.0.0.1:${options.port}`;
  // If this process dies without stopping it (a killed test run), the kernel tells LocalStack to stop.
  const [command, args] = withParentDeathSignal(localStackPython, ['-m', 'localstack.runtime.main']);
  const child = spawn(command, args, {
    cwd: state,
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: {
      ...process.env,
      // These machines have /.dockerenv: without this LocalStack believes it runs in its container.
      OVERRIDE_IN_DOCKER: '0',
      FILESYSTEM_ROOT: state,
      GATEWAY_LISTEN: `127.0.0.1:${options.port}`,
      SERVICES: 's3,dynamodb',
      SKIP_SSL_CERT_DOWNLOAD: '1',
      DNS_ADDRESS: '0',
      DISABLE_EVENTS: '1',
      // LocalStack's default skips presigned-URL signature checks; tampered URLs would then succeed.
      S3_SKIP_SIGNATURE_VALIDATION: '0',
      // Path-style URLs on 127.0.0.1, as the service's clients use for local endpoints.
      LOCALSTACK_HOST: `127.0.0.1:${options.port}`,
    },
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const killGroup = (signal: NodeJS.Signals) => {
    try {
      if (child.pid) process.kill(-child.pid, signal);
    } catch {
      // Already gone.
    }
  };
  const killOnExit = () => killGroup('SIGKILL');
  process.on('exit', killOnExit);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    killGroup('SIGTERM');
    const timer = setTimeout(() => killGroup('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
    // The JVM may outlive its parent by a moment: the group, once more.
    killGroup('SIGKILL');
    process.removeListener('exit', killOnExit);
    rmSync(state, { recursive: true, force: true });
  };
  try {
    await waitUntilReady(endpoint, child);
    // DynamoDB Local starts on the first DynamoDB call (3-7 s): do it now, not in the first test.
    await warmDynamoDb(endpoint);
  } catch (error) {
    await stop();
    throw new Error(`LocalStack did not start: ${(error as Error).message}\n${stderr}`);
  }
  return { endpoint, pid: child.pid, stop };
}

async function waitUntilReady(endpoint: string, child: ChildProcess, timeoutMs = 90_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`it exited with code ${child.exitCode}`);
    try {
      const response = await fetch(`${endpoint}/_localstack/health`);
      const health = (await response.json()) as { services?: Record<string, string> };
      const states = ['s3', 'dynamodb'].map((service) => health.services?.[service]);
      if (states.every((state) => state === 'available' || state === 'running')) return;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) throw new Error(`no healthy S3 and DynamoDB within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function warmDynamoDb(endpoint: string, timeoutMs = 60_000) {
  const { DynamoDBClient, ListTablesCommand } = await import('@aws-sdk/client-dynamodb');
  const client = new DynamoDBClient({ region: 'us-east-1', endpoint, credentials: localStackCredentials });
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      try {
        await client.send(new ListTablesCommand({}));
        return;
      } catch (error) {
        if (Date.now() > deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
  } finally {
    client.destroy();
  }
}
