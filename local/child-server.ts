import type { ChildProcess } from 'node:child_process';

export interface ChildServer {
  pid: number | undefined;
  stop(): Promise<void>;
}

/**
 * Supervises a server process the local stack spawned (DynamoDB Local's JVM,
 * the S3 server): waits until `ready` resolves or the process dies (its last
 * output in the error), and kills it when this Node process exits, since such
 * children outlive a parent that exits without stopping them.
 */
export async function superviseChildServer(
  child: ChildProcess,
  options: { name: string; startHint?: string; ready: () => Promise<void> },
): Promise<ChildServer> {
  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<never>((_, reject) => {
    child.once('error', (error) =>
      reject(new Error(`could not start ${options.name}${options.startHint ?? ''}: ${error.message}`)),
    );
    child.once('exit', (code) => reject(new Error(`${options.name} exited with ${code}: ${output.slice(-2000)}`)));
  });
  try {
    await Promise.race([options.ready(), exited]);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  exited.catch(() => undefined);
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  return {
    pid: child.pid,
    stop: async () => {
      process.removeListener('exit', killOnExit);
      await stopProcess(child);
    },
  };
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
