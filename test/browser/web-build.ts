import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** What the built app depends on: its own sources and the route table its API types are generated from. */
const sources = ['web/src', 'web/index.html', 'web/package.json', 'web/vite.config.ts', 'shared/http'];
const builtApp = 'web/dist/index.html';
const buildLock = '.stratus/web-build.lock';

function newestChange(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(path).reduce((newest, name) => Math.max(newest, newestChange(join(path, name))), stat.mtimeMs);
}

const isFresh = () => (existsSync(builtApp) ? statSync(builtApp).mtimeMs : 0) > Math.max(...sources.map(newestChange));

/** Blocks the calling thread (the build itself is synchronous too). */
const pause = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/**
 * Builds the web app when web/dist is missing or older than what it is built
 * from: after a pull, the browser tests would otherwise judge yesterday's app.
 * Browser test files run side by side and each asks; one builds (holding a
 * lock directory) while the others wait for it, since two Vite builds into one
 * web/dist delete each other's files.
 */
export function ensureWebAppBuilt(): void {
  if (isFresh()) return;
  mkdirSync('.stratus', { recursive: true });
  const deadline = Date.now() + 300_000;
  for (;;) {
    try {
      mkdirSync(buildLock);
      break;
    } catch (failure) {
      if ((failure as NodeJS.ErrnoException).code !== 'EEXIST') throw failure;
      // A lock left by a killed run is older than any build takes.
      const heldSince = existsSync(buildLock) ? statSync(buildLock, { throwIfNoEntry: false })?.mtimeMs : undefined;
      if (heldSince !== undefined && Date.now() - heldSince > 300_000)
        rmSync(buildLock, { recursive: true, force: true });
      else if (Date.now() > deadline) throw new Error(`${buildLock} held for 5 minutes: is a build stuck?`);
      pause(250);
    }
  }
  try {
    if (!isFresh()) build();
  } finally {
    rmSync(buildLock, { recursive: true, force: true });
  }
}

function build() {
  // vitest sets NODE_ENV=test, which would make Vite build the development variant of Preact: the
  // tests must judge (and the build measure) the bundle users get.
  const vite = spawnSync('npm', ['--prefix', 'web', 'run', 'build'], {
    stdio: 'inherit',
    env: { ...process.env, NODE_ENV: 'production' },
  });
  if (vite.status !== 0) throw new Error('the web app does not build: `npm --prefix web run build` failed');
}
