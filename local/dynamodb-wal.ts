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
 * beside it copies the log into the file, keeps it from growing under
 * sustained writes, and truncates it once they pause.
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
 * busy timeout and fails a request that meets a lock) never notices it.
 *
 * A copied log is only reused from its start when a write begins while every
 * frame of it is in the file; under sustained writes a checkpoint a second
 * never finishes before the next commit, and the log grew by the whole write
 * volume (4 GB for the `peer` bench's 10,000 runs, with the index of its frames
 * that every read searches growing beside it). So while the log holds more
 * than `limitBytes` of frames, checkpoints follow each other every `catchUpMs`:
 * each copies what the last commits added, and now and then one ends between
 * two commits (how often depends on the machine's load), after which DynamoDB
 * Local's next write starts the log over. The
 * file keeps its size then (no fsync of a growing file); a TRUNCATE checkpoint,
 * which does take the writer's lock, cuts it only after a whole quiet interval
 * and gives up at once if anything reads (timeout 0): a TRUNCATE every 50 ms
 * under load made the API answer 503. The process exits with its parent.
 */
export function startWalCheckpointer(
  file: string,
  options: { intervalMs?: number; catchUpMs?: number; limitBytes?: number } = {},
): WalCheckpointer {
  const script = [
    'import os, sqlite3, sys, time',
    'path, interval, catch_up, limit = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])',
    'last = None',
    'changed = time.monotonic()',
    'behind = False',
    'db = None',
    'while True:',
    '    time.sleep(catch_up if behind else interval)',
    '    try:',
    '        if db is None:',
    '            db = sqlite3.connect(path, timeout=0, isolation_level=None)',
    "            frame = db.execute('PRAGMA page_size').fetchone()[0] + 24",
    "        log = os.stat(path + '-wal')",
    '        if log.st_mtime_ns != last:',
    '            last, changed = log.st_mtime_ns, time.monotonic()',
    '        idle = time.monotonic() - changed >= interval',
    "        frames = db.execute('PRAGMA wal_checkpoint(PASSIVE)').fetchone()[1]",
    '        behind = frames * frame > limit',
    '        if idle and log.st_size > limit:',
    "            db.execute('PRAGMA wal_checkpoint(TRUNCATE)')",
    '    except (sqlite3.Error, OSError):',
    '        behind = False',
    '        if db is not None:',
    '            db.close()',
    '            db = None',
  ].join('\n');
  const [command, args] = withParentDeathSignal(pythonCommand(), [
    '-c',
    script,
    file,
    String((options.intervalMs ?? 1000) / 1000),
    String((options.catchUpMs ?? 10) / 1000),
    String(options.limitBytes ?? 4 * 1024 * 1024),
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
