import { execFileSync } from 'node:child_process';
import { hostname } from 'node:os';

export interface CodeContext {
  gitCommit?: string | undefined;
  codeVersion?: string | undefined;
  tags: Record<string, string>;
}

function git(cwd: string, ...args: string[]): string | undefined {
  try {
    return execFileSync('git', args, {
      cwd,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 5000,
    }).trim();
  } catch {
    return undefined; // no git, or not a checkout: not worth failing a run over
  }
}

/** Git commit, branch, dirty flag and `git describe`, host, Node version and argv; git parts only in a checkout. */
export function captureCodeContext(cwd = process.cwd()): CodeContext {
  const tags: Record<string, string> = {
    'stratus.host': hostname(),
    'stratus.node_version': process.versions.node,
    'stratus.command': process.argv.join(' ').slice(0, 5000),
  };
  const commit = git(cwd, 'rev-parse', 'HEAD');
  if (!commit) return { tags };
  tags['stratus.git.commit'] = commit;
  const branch = git(cwd, 'rev-parse', '--abbrev-ref', 'HEAD');
  if (branch && branch !== 'HEAD') tags['stratus.git.branch'] = branch;
  tags['stratus.git.dirty'] = git(cwd, 'status', '--porcelain', '--untracked-files=no') ? 'true' : 'false';
  const codeVersion = git(cwd, 'describe', '--tags', '--always', '--dirty') ?? commit.slice(0, 12);
  return { gitCommit: commit, codeVersion, tags };
}
