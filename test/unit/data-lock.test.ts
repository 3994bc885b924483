import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { DataDirectoryInUseError, lockDataDirectory, lockPathOf } from '../../local/data-lock.ts';

let root: string;
let directory: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'stratus-lock-'));
  directory = join(root, 'dynamodb');
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const startTime = (pid: number) => {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
};

/** A pid that belonged to a process which has exited. */
async function deadPid(): Promise<number> {
  const child = spawn('true');
  await new Promise((resolve) => child.once('exit', resolve));
  return child.pid as number;
}

test('a held data directory is refused, naming the holder; released, it can be taken again', async () => {
  const lock = await lockDataDirectory(directory);
  const refused = await lockDataDirectory(directory).catch((error: unknown) => error);
  expect(refused).toBeInstanceOf(DataDirectoryInUseError);
  expect((refused as Error).message).toContain(`pid ${process.pid}`);
  lock.release();
  expect(existsSync(lockPathOf(directory))).toBe(false);
  (await lockDataDirectory(directory)).release();
});

test("a dead stack's lock is taken over, and the child server it left running is stopped", async () => {
  const orphan = spawn('sleep', ['300'], { stdio: 'ignore' });
  const orphanPid = orphan.pid as number;
  const exited = new Promise((resolve) => orphan.once('exit', resolve));
  const holder = await deadPid();
  writeFileSync(
    lockPathOf(directory),
    JSON.stringify({
      pid: holder,
      startTime: 1,
      startedAt: 'earlier',
      children: [{ name: 'DynamoDB Local', pid: orphanPid, startTime: startTime(orphanPid) }],
    }),
  );
  const messages: string[] = [];
  const lock = await lockDataDirectory(directory, (message) => messages.push(message));
  await exited;
  expect(orphan.signalCode).toBe('SIGKILL');
  expect(messages.join('\n')).toContain(`DynamoDB Local (pid ${orphanPid})`);
  expect(JSON.parse(readFileSync(lockPathOf(directory), 'utf8')).pid).toBe(process.pid);
  lock.release();
});

test('a recorded pid now used by another process is neither the holder nor killed', async () => {
  // This very process's pid, recorded with another start time: a reused pid.
  const bystander = spawn('sleep', ['300'], { stdio: 'ignore' });
  try {
    writeFileSync(
      lockPathOf(directory),
      JSON.stringify({
        pid: process.pid,
        startTime: startTime(process.pid) + 1,
        startedAt: 'earlier',
        children: [{ name: 'versitygw', pid: bystander.pid, startTime: startTime(bystander.pid as number) + 1 }],
      }),
    );
    const lock = await lockDataDirectory(directory);
    expect(bystander.exitCode).toBeNull();
    expect(bystander.signalCode).toBeNull();
    lock.release();
  } finally {
    bystander.kill();
  }
});

test('an unreadable lock file is replaced; release never removes a lock another start took over', async () => {
  writeFileSync(lockPathOf(directory), '{"pid":');
  const lock = await lockDataDirectory(directory);
  writeFileSync(lockPathOf(directory), JSON.stringify({ pid: 1, startTime: 1, startedAt: 'x', children: [] }));
  lock.release();
  expect(existsSync(lockPathOf(directory))).toBe(true);
});

test('child pids are recorded for the next start', async () => {
  const lock = await lockDataDirectory(directory);
  lock.setChildren([{ name: 'DynamoDB Local', pid: process.pid }]);
  const record = JSON.parse(readFileSync(lockPathOf(directory), 'utf8'));
  expect(record.children).toEqual([{ name: 'DynamoDB Local', pid: process.pid, startTime: startTime(process.pid) }]);
  lock.release();
});
