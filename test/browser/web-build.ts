import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** What the built app depends on: its own sources and the route table its API types are generated from. */
const sources = ['web/src', 'web/index.html', 'web/package.json', 'web/vite.config.ts', 'shared/http'];
const builtApp = 'web/dist/index.html';

function newestChange(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(path).reduce((newest, name) => Math.max(newest, newestChange(join(path, name))), stat.mtimeMs);
}

/**
 * Builds the web app when web/dist is missing or older than what it is built
 * from: after a pull, the browser tests would otherwise judge yesterday's app.
 */
export function ensureWebAppBuilt(): void {
  const built = existsSync(builtApp) ? statSync(builtApp).mtimeMs : 0;
  if (built > Math.max(...sources.map(newestChange))) return;
  // vitest sets NODE_ENV=test, which would make Vite build the development variant of Preact: the
  // tests must judge (and the build measure) the bundle users get.
  const build = spawnSync('npm', ['--prefix', 'web', 'run', 'build'], {
    stdio: 'inherit',
    env: { ...process.env, NODE_ENV: 'production' },
  });
  if (build.status !== 0) throw new Error('the web app does not build: `npm --prefix web run build` failed');
}
