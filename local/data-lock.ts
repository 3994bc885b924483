import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';

/**
 * One local stack per data directory. Two DynamoDB Local processes on one
 * database file corrupt it, so the stack takes a lock file beside the directory
 * (`.stratus/dynamodb.lock` for `.stratus/dynamodb`; not inside it, where the S3
 * server would see a stray object) holding its own pid and those of its child
 * servers:
 *
 * - held by a live stack: the new start is refused, naming that process;
 * - left behind by a stack that died: any of its child servers still alive
 *   (orphans, where the parent-death signal is not available) are killed, and
 *   the lock is taken over.
 *
 * A pid is only trusted together with the process's start time (Linux
 * /proc/<pid>/stat), so a pid reused by an unrelated process is never taken
 * for the holder or killed as an orphan.
 */
export const lockPathOf = (directory: string) => `${directory.replace(/[\\/]+$/, '')}.lock`;

interface ProcessIdentity {
  pid: number;
  /** Clock ticks after boot at which the process started; null where /proc is not available. */
  startTime: number | null;
}

interface LockRecord extends ProcessIdentity {
  startedAt: string;
  children: Array<ProcessIdentity & { name: string }>;
}

export class DataDirectoryInUseError extends Error {
  constructor(
    readonly directory: string,
    readonly holderPid: number,
    startedAt: string,
  ) {
    super(
      `${directory} is in use by another Stratus local stack (pid ${holderPid}, started ${startedAt}); ` +
        'stop it first, or give this one another STRATUS_DATA_DIR',
    );
    this.name = 'DataDirectoryInUseError';
  }
}

export interface DataDirectoryLock {
  /** Records the child servers' current pids, so a later start can clean them up if this stack dies. */
  setChildren(children: Array<{ name: string; pid: number | undefined }>): void;
  release(): void;
}

export async function lockDataDirectory(
  directory: string,
  log: (message: string) => void = () => undefined,
): Promise<DataDirectoryLock> {
  mkdirSync(directory, { recursive: true });
  const path = lockPathOf(directory);
  const record: LockRecord = { ...identify(process.pid), startedAt: new Date().toISOString(), children: [] };
  for (let attempt = 0; ; attempt++) {
    try {
      const fd = openSync(path, 'wx', 0o600);
      try {
        writeSync(fd, JSON.stringify(record));
      } finally {
        closeSync(fd);
      }
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= 3) throw error;
    }
    const holder = readLock(path);
    if (holder === 'unreadable') {
      // Another start may be writing it this very moment: look again before calling it stale.
      await new Promise((resolve) => setTimeout(resolve, 200));
      if (readLock(path) === 'unreadable') rmSync(path, { force: true });
      continue;
    }
    if (holder && isAlive(holder)) throw new DataDirectoryInUseError(directory, holder.pid, holder.startedAt);
    for (const orphan of holder?.children ?? []) {
      if (!isAlive(orphan)) continue;
      log(`stopping ${orphan.name} (pid ${orphan.pid}), left running by a local stack that died (pid ${holder?.pid})`);
      await killAndWait(orphan);
    }
    rmSync(path, { force: true });
  }
  let released = false;
  return {
    setChildren(children) {
      if (released) return;
      record.children = children
        .filter((child): child is { name: string; pid: number } => child.pid !== undefined)
        .map((child) => ({ name: child.name, ...identify(child.pid) }));
      writeFileSync(path, JSON.stringify(record), { mode: 0o600 });
    },
    release() {
      if (released) return;
      released = true;
      // Only our own lock: never remove one another start took over.
      const current = readLock(path);
      if (current && current !== 'unreadable' && current.pid === record.pid && current.startTime === record.startTime) {
        rmSync(path, { force: true });
      }
    },
  };
}

function readLock(path: string): LockRecord | undefined | 'unreadable' {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const parsed = JSON.parse(text) as LockRecord;
    if (typeof parsed.pid !== 'number' || !Array.isArray(parsed.children)) return 'unreadable';
    return parsed;
  } catch {
    return 'unreadable';
  }
}

function identify(pid: number): ProcessIdentity {
  return { pid, startTime: startTimeOf(pid) };
}

/** Field 22 of /proc/<pid>/stat (after the parenthesised command, which may hold spaces). */
function startTimeOf(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const value = Number(fields[19]);
    return Number.isFinite(value) ? value : null;
  } catch {
    return null;
  }
}

/** The same process as recorded: alive, and (where /proc tells) started at the same moment. */
function isAlive(identity: ProcessIdentity): boolean {
  try {
    process.kill(identity.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  if (identity.startTime === null) return true;
  return startTimeOf(identity.pid) === identity.startTime;
}

async function killAndWait(identity: ProcessIdentity) {
  try {
    process.kill(identity.pid, 'SIGKILL');
  } catch {
    return;
  }
  const deadline = Date.now() + 5000;
  while (isAlive(identity) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
}
