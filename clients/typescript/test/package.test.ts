import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type TestStack, startTestStack } from '../../../test/support/local-api.ts';

/**
 * The SDK as a user gets it: `npm pack` in clients/typescript (its prepack builds dist/),
 * the tarball installed into a fresh project outside the repository, and used from there
 * against the local stack, with its types checked by a TypeScript consumer.
 */
const sdkFolder = resolve(import.meta.dirname, '..');
const repoRoot = resolve(sdkFolder, '../..');
let stack: TestStack;
let project: string;

beforeAll(async () => {
  stack = await startTestStack();
  project = mkdtempSync(join(tmpdir(), 'stratus-client-'));
});
afterAll(async () => {
  await stack.stop();
  rmSync(project, { recursive: true, force: true });
});

const npm = (args: string[], cwd: string) =>
  execFileSync('npm', args, { cwd, encoding: 'utf8', env: { ...process.env, npm_config_update_notifier: 'false' } });

// Builds with tsc twice (pack, then the consumer's check): minutes on a loaded two-core machine.
it('npm pack gives a package a fresh project installs and uses', { timeout: 300_000 }, async () => {
  const packed = JSON.parse(npm(['pack', '--json', '--pack-destination', project], sdkFolder)) as Array<{
    filename: string;
    files: Array<{ path: string }>;
  }>;
  const files = packed[0]?.files.map((file) => file.path) ?? [];
  expect(files).toEqual(expect.arrayContaining(['package.json', 'README.md', 'dist/index.js', 'dist/index.d.ts']));
  expect(files.filter((path) => path.startsWith('src/') || path.startsWith('test/'))).toEqual([]);

  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', type: 'module', private: true }));
  npm(['install', '--offline', '--no-audit', '--no-fund', `./${packed[0]?.filename}`], project);
  expect(existsSync(join(project, 'node_modules/@stratus/client/dist/index.js'))).toBe(true);
  expect(readdirSync(join(project, 'node_modules'))).toEqual(['.package-lock.json', '@stratus']); // no dependencies

  writeFileSync(
    join(project, 'train.mjs'),
    `import { ExperimentTracker } from '@stratus/client';
const tracker = new ExperimentTracker({ flushIntervalMs: 100 });
const run = await tracker.startRun('packed-sdk', { runName: 'from-a-tarball' });
for (let step = 0; step < 5; step++) tracker.logMetrics({ loss: 1 / (step + 1) }, { step });
await tracker.endRun();
const offline = new ExperimentTracker({ endpoint: 'http://127.0.0.1:9', warn: () => {} });
const lost = await offline.startRun('packed-sdk');
offline.logMetrics({ loss: 1 });
await offline.endRun();
console.log(JSON.stringify({ runId: run.runId, offline: lost.offline }));
`,
  );
  // Not spawnSync: the stack answers from this very process, so its event loop must keep running.
  const ran = await promisify(execFile)(process.execPath, ['train.mjs'], {
    cwd: project,
    encoding: 'utf8',
    env: { ...process.env, STRATUS_ENDPOINT: stack.url, STRATUS_TOKEN: stack.token },
  });
  const result = JSON.parse(ran.stdout) as { runId: string; offline: boolean };
  expect(result.runId, ran.stdout + ran.stderr).toMatch(/^[0-9a-f]{32}$/);
  expect(result.offline).toBe(true);
  const stored = await fetch(`${stack.url}/api/v1/runs/${result.runId}`, {
    headers: { authorization: `Bearer ${stack.token}` },
  }).then((response) => response.json() as Promise<{ status: string; metrics: Record<string, { step: number }> }>);
  expect(stored.status).toBe('FINISHED');
  expect(stored.metrics.loss?.step).toBe(4);

  // The declarations work for a TypeScript consumer: a right use compiles, a wrong one does not.
  writeFileSync(
    join(project, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        target: 'ES2022',
        strict: true,
        noEmit: true,
        types: ['node'],
        typeRoots: [join(repoRoot, 'node_modules/@types')],
      },
      files: ['use.ts'],
    }),
  );
  const tsc = join(repoRoot, 'node_modules/.bin/tsc');
  writeFileSync(
    join(project, 'use.ts'),
    `import { ExperimentTracker, type Run } from '@stratus/client';
const tracker = new ExperimentTracker();
export const run: Promise<Run> = tracker.startRun('x', { pipelineComponents: [{ name: 'a', type: 'b' }] });
export const wrong: number = tracker.activeRun;
`,
  );
  const errors = spawnSync(tsc, ['-p', project], { encoding: 'utf8', cwd: project })
    .stdout.split('\n')
    .filter((line) => line.includes('error TS'));
  expect(errors).toEqual([
    expect.stringMatching(/use\.ts\(4,14\): error TS2322: .*is not assignable to type 'number'/),
  ]);
});
