import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';
import { withParentDeathSignal } from './child-server.ts';

/**
 * DynamoDB Local on disk keeps every table in one SQLite file. Left to itself
 * it uses SQLite's rollback journal: each item it writes is a transaction of
 * its own that creates, syncs and deletes a journal file (4 fsyncs, counted
 * with strace), all on the one thread that runs every statement. In WAL mode
 * the same commit is one append and one fsync, just as durable
 * (`synchronous=FULL`, SQLite's default), and that thread's time an item fell
 * by about half (docs/data-model.md, "A run is created").
 *
 * WAL mode is a property of the file: it is set once, before DynamoDB Local
 * opens it, and kept. DynamoDB Local's own connection never completes a
 * checkpoint (measured: a 160 MB log, the file untouched), so a checkpointer
 * beside it copies the log into the file every second and truncates it once it
 * passes a limit.
 * Both steps use Python's built-in sqlite3 module, which setup already
 * requires; without it the file stays in rollback mode.
 */

/** DynamoDB Local's file with `-sharedDb`. */
export const sharedDatabaseFile = (dataDirectory: string) => join(dataDirectory, 'shared-local-instance.db');

export interface WalCheckpointer {
  readonly pid: number | undefined;
  stop(): void;
}

/** Read at each start, so a test (or a machine whose Python has another name) can choose. */
const pythonCommand = () => process.env.STRATUS_PYTHON || 'python3';

/** Puts the database file (created if absent) in WAL mode; false when that cannot be done here. */
export function useWriteAheadLog(file: string, log: (message: string) => void): boolean {
  const python = pythonCommand();
  try {
    const mode = execFileSync(
      python,
      [
        '-c',
        'import sqlite3, sys\n' +
          'db = sqlite3.connect(sys.argv[1])\n' +
          "print(db.execute('PRAGMA journal_mode=WAL').fetchone()[0])\n" +
          'db.close()',
        file,
      ],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000 },
    ).trim();
    if (mode === 'wal') return true;
    log(`DynamoDB Local keeps SQLite's rollback journal: the file answered journal mode ${mode}`);
  } catch (error) {
    log(`DynamoDB Local keeps SQLite's rollback journal: ${python} could not set WAL mode (${firstLine(error)})`);
  }
  return false;
}

/**
 * The checkpointer. Every `intervalMs` a PASSIVE checkpoint copies the log into
 * the file: it never takes the writer's lock, so DynamoDB Local (which sets no
 * busy timeout and fails a request that meets a lock) never notices it. The log
 * only shrinks with a TRUNCATE checkpoint, which does take that lock: it runs
 * only when the log is past `truncateAboveBytes` and nothing has written to it
 * for a whole interval, and gives up at once if anything reads (timeout 0). A
 * TRUNCATE every 50 ms under load made the API answer 503; PASSIVE ones at that
 * rate did not. So under sustained writes the log grows, and is cut at the
 * first pause. The process exits with its parent.
 */
export function startWalCheckpointer(
  file: string,
  options: { intervalMs?: number; truncateAboveBytes?: number } = {},
): WalCheckpointer {
  const script = [
    'import os, sqlite3, sys, time',
    'path, interval, limit = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])',
    'last = None',
    'while True:',
    '    time.sleep(interval)',
    '    try:',
    "        log = os.stat(path + '-wal')",
    '        idle = log.st_mtime_ns == last',
    '        last = log.st_mtime_ns',
    '        db = sqlite3.connect(path, timeout=0)',
    '        try:',
    "            db.execute('PRAGMA wal_checkpoint(PASSIVE)')",
    '            if idle and log.st_size > limit:',
    "                db.execute('PRAGMA wal_checkpoint(TRUNCATE)')",
    '        finally:',
    '            db.close()',
    '    except (sqlite3.Error, OSError):',
    '        pass',
  ].join('\n');
  const [command, args] = withParentDeathSignal(pythonCommand(), [
    '-c',
    script,
    file,
    String((options.intervalMs ?? 1000) / 1000),
    String(options.truncateAboveBytes ?? 8 * 1024 * 1024),
  ]);
  const child: ChildProcess = spawn(command, args, { stdio: 'ignore' });
  child.on('error', () => undefined);
  const kill = () => child.kill('SIGKILL');
  process.on('exit', kill);
  return {
    get pid() {
      return child.pid;
    },
    stop() {
      process.removeListener('exit', kill);
      kill();
    },
  };
}

function firstLine(error: unknown): string {
  const text = (error as { stderr?: string }).stderr || (error as Error).message || String(error);
  return text.trim().split('\n').pop() ?? '';
}
