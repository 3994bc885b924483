import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { esbuildOptions } from '../../cdk/bundling.ts';

/**
 * The functions run without `--enable-source-maps` (it parses the whole map at
 * every cold start); an unexpected error's stack is mapped when it is logged
 * (shared/observability/stack-trace.ts). Checked on a bundle built with the
 * stack's own esbuild options (minified, map beside it without sources), run by
 * a plain `node` as Lambda runs it.
 */
const directory = mkdtempSync(path.join(os.tmpdir(), 'stratus-stack-trace-'));
const bundle = path.join(directory, 'index.mjs');
const throwLine = 5;

beforeAll(async () => {
  const entry = path.join(directory, 'entry.ts');
  writeFileSync(
    entry,
    [
      `import { sourceMappedStack } from ${JSON.stringify(path.resolve('shared/observability/stack-trace.ts'))};`,
      '',
      'function failDeepInside(reason: string): never {',
      '  const detail = `${reason}!`;',
      '  throw new Error(detail);',
      '}',
      'try {',
      "  failDeepInside('boom');",
      '} catch (error) {',
      '  const raw = (error as Error).stack ?? "";',
      '  process.stdout.write(JSON.stringify({ raw, mapped: sourceMappedStack(raw) }));',
      '}',
    ].join('\n'),
  );
  await build({
    ...esbuildOptions,
    mainFields: [...esbuildOptions.mainFields],
    external: [...esbuildOptions.external],
    entryPoints: [entry],
    outfile: bundle,
    logLevel: 'silent',
  });
});

afterAll(() => rmSync(directory, { recursive: true, force: true }));

function run(): { raw: string; mapped: string } {
  const child = spawnSync(process.execPath, [bundle], { encoding: 'utf8' });
  expect(child.status, child.stderr).toBe(0);
  return JSON.parse(child.stdout) as { raw: string; mapped: string };
}

test("an error's stack names the source file and line once mapped, where the raw one names the bundle", () => {
  const { raw, mapped } = run();
  const [, firstFrame] = raw.split('\n');
  expect(firstFrame).toMatch(/index\.mjs:\d+:\d+\)?$/);
  expect(raw).not.toContain('entry.ts');
  const [message, mappedFrame] = mapped.split('\n');
  expect(message).toBe('Error: boom!');
  expect(mappedFrame).toMatch(new RegExp(`entry\\.ts:${throwLine}:\\d+\\)?$`));
  // Frames outside the bundle (Node's own) are left as they were.
  expect(mapped.split('\n').length).toBe(raw.split('\n').length);
});

test('without a map beside the bundle the stack is left as it is', () => {
  rmSync(`${bundle}.map`);
  const { raw, mapped } = run();
  expect(mapped).toBe(raw);
});
