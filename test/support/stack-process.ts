import { type ChildProcess, spawn } from 'node:child_process';

/**
 * `npm start` as a process of its own (the command the start script execs), in
 * a process group of its own so that cleanup can kill whatever it left, for the
 * tests and benchmarks that kill and restart the local stack.
 */
export interface StackProcess {
  child: ChildProcess;
  /** Resolves with the child servers' pids once the stack says it is up; rejects if it exits first. */
  ready: Promise<{ dynamoDbPid: number; s3Pid: number }>;
  /** Everything it printed so far (stdout and stderr). */
  output(): string;
  /** Resolves with the exit code once it has exited. */
  exited: Promise<number | null>;
}

export function startStackProcess(options: {
  dataDirectory: string;
  port: number;
  token: string;
  tableName?: string;
}): StackProcess {
  // A test process points its own handlers at the shared servers; the child must start its own. The
  // test runner silences the AWS SDK's notice about Node 22 for itself: the child, as `npm start`, must
  // do without that.
  const {
    STRATUS_DYNAMODB_ENDPOINT: _dynamo,
    STRATUS_S3_ENDPOINT: _s3,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: _notice,
    ...inherited
  } = process.env;
  const child = spawn(process.execPath, ['--import', 'tsx', 'local/start.ts'], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...inherited,
      STRATUS_DATA_DIR: options.dataDirectory,
      STRATUS_PORT: String(options.port),
      STRATUS_TOKEN: options.token,
      STRATUS_TABLE_NAME: options.tableName ?? 'fault',
      STRATUS_LOG_LEVEL: 'error',
    },
  });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const ready = new Promise<{ dynamoDbPid: number; s3Pid: number }>((resolve, reject) => {
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Press Ctrl-C to stop')) {
        const dynamoDbPid = Number(/DynamoDB Local \(pid (\d+)\)/.exec(output)?.[1]);
        const s3Pid = Number(/versitygw \(pid (\d+)\)/.exec(output)?.[1]);
        resolve({ dynamoDbPid, s3Pid });
      }
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    void exited.then((code) => reject(new Error(`stack exited early (${code}): ${output.slice(-1000)}`)));
  });
  ready.catch(() => undefined);
  return { child, ready, output: () => output, exited };
}

/** Kills the whole group, even when its leader is gone already: its servers may not be. */
export function killGroup(child: ChildProcess): Promise<void> {
  return new Promise<void>((resolve) => {
    const exited = child.exitCode !== null || child.signalCode !== null;
    if (!exited) child.once('exit', () => resolve());
    try {
      process.kill(-(child.pid as number), 'SIGKILL');
    } catch {
      // no process is left in the group
    }
    if (exited) resolve();
  });
}

export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Polls until `condition` holds, up to `timeoutMs`; returns whether it did. */
export async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return true;
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
