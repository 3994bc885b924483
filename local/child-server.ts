import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** How to run one server the local stack depends on (DynamoDB Local's JVM, the S3 server). */
export interface ChildServerSpec {
  name: string;
  command: string;
  args: readonly string[];
  env?: NodeJS.ProcessEnv;
  /** Appended to "could not start <name>" when the command cannot be run. */
  startHint?: string;
  /** Resolves once the server answers. */
  ready: () => Promise<void>;
}

/**
 * What the supervisor does when a running server dies. Without `restart` the
 * death is reported through `onFailure` and nothing is restarted.
 */
export interface Supervision {
  /** One line for the stack's log. */
  log: (message: string) => void;
  restart?: {
    /** Runs once the restarted server answers (re-create a table, a bucket). */
    afterRestart?: () => Promise<void>;
  };
  /** The server died and was not (or could not be) brought back: the stack should stop. */
  onFailure: (error: Error) => void;
}

export interface ChildServer {
  /** The running server's pid (a new one after each restart). */
  readonly pid: number | undefined;
  stop(): Promise<void>;
}

/** At most this many restarts within `RESTART_WINDOW_MS`; a server that keeps dying is given up on. */
const MAX_RESTARTS = 5;
const RESTART_WINDOW_MS = 60_000;

/**
 * Starts a server process and supervises it: waits until it answers (or reports
 * its last output if it dies first); afterwards, notices when it dies, says so
 * in the log and restarts it on the same port and data, or reports the failure.
 *
 * Children die with this process even when it is killed with SIGKILL: on Linux
 * they are started through `setpriv --pdeathsig`, so the kernel signals them
 * when their parent dies; on exit paths Node sees, they are killed directly.
 * (Elsewhere, the data-directory lock cleans up what a killed stack left.)
 */
export async function superviseChildServer(spec: ChildServerSpec, supervision?: Supervision): Promise<ChildServer> {
  let child = await startChild(spec);
  let stopping = false;
  const restarts: number[] = [];
  const killOnExit = () => child.kill('SIGKILL');
  process.on('exit', killOnExit);

  const watch = (running: ChildProcess) => {
    running.once('exit', (code, signal) => {
      if (stopping || !supervision) return;
      const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
      const now = Date.now();
      while (restarts.length && (restarts[0] as number) < now - RESTART_WINDOW_MS) restarts.shift();
      if (!supervision.restart || restarts.length >= MAX_RESTARTS) {
        const reason = supervision.restart ? `; it died ${MAX_RESTARTS + 1} times within a minute` : '';
        supervision.onFailure(new Error(`${spec.name} (pid ${running.pid}) ${how}${reason}`));
        return;
      }
      restarts.push(now);
      supervision.log(`${spec.name} (pid ${running.pid}) ${how}; restarting it`);
      void restart(now);
    });
  };

  const restart = async (diedAt: number) => {
    try {
      const next = await startChild(spec);
      if (stopping) {
        await stopProcess(next);
        return;
      }
      child = next;
      watch(next);
      await supervision?.restart?.afterRestart?.();
      supervision?.log(`${spec.name} is back (pid ${next.pid}) after ${Date.now() - diedAt} ms`);
    } catch (error) {
      if (!stopping)
        supervision?.onFailure(new Error(`${spec.name} could not be restarted: ${(error as Error).message}`));
    }
  };

  watch(child);
  return {
    get pid() {
      return child.pid;
    },
    stop: async () => {
      stopping = true;
      process.removeListener('exit', killOnExit);
      await stopProcess(child);
    },
  };
}

/** Spawns the server and waits until it answers; a server that dies first fails with its last output. */
async function startChild(spec: ChildServerSpec): Promise<ChildProcess> {
  const [command, args] = withParentDeathSignal(spec.command, spec.args);
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env: spec.env ?? process.env });
  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<never>((_, reject) => {
    child.once('error', (error) =>
      reject(new Error(`could not start ${spec.name}${spec.startHint ?? ''}: ${error.message}`)),
    );
    child.once('exit', (code) => reject(new Error(`${spec.name} exited with ${code}: ${output.slice(-2000)}`)));
  });
  try {
    await Promise.race([spec.ready(), exited]);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  exited.catch(() => undefined);
  return child;
}

let setpriv: string | null | undefined;

/**
 * `setpriv --pdeathsig SIGTERM -- command args` where util-linux's setpriv is
 * installed (Linux): the kernel sends the child SIGTERM when the process that
 * spawned it dies, however it dies. setpriv execs the command, so the pid is the
 * server's own.
 */
export function withParentDeathSignal(command: string, args: readonly string[]): [string, string[]] {
  if (setpriv === undefined) {
    setpriv =
      process.platform === 'linux'
        ? ((process.env.PATH ?? '')
            .split(delimiter)
            .map((directory) => join(directory, 'setpriv'))
            .find((candidate) => existsSync(candidate)) ?? null)
        : null;
  }
  return setpriv ? [setpriv, ['--pdeathsig', 'SIGTERM', '--', command, ...args]] : [command, [...args]];
}

/** SIGTERM, then SIGKILL if it has not exited within five seconds. */
function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
