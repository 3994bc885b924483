import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type TestStack, startTestStack } from '../../../test/support/local-api.ts';

/**
 * The `ts` blocks of the repository's README and of this SDK's README run as written
 * against a local stack, in a folder holding the `model.onnx` they log: only the
 * package name is pointed at the SDK's source. A block that uses a name it never
 * defined, or a method the SDK does not have, fails here instead of in a reader's editor.
 */
const sdkFolder = resolve(import.meta.dirname, '..');
const repoRoot = resolve(sdkFolder, '../..');
const tsx = join(repoRoot, 'node_modules/.bin/tsx');
let stack: TestStack;
let folder: string;

beforeAll(async () => {
  stack = await startTestStack();
  folder = mkdtempSync(join(tmpdir(), 'stratus-ts-readme-'));
  writeFileSync(join(folder, 'model.onnx'), 'onnx weights');
});
afterAll(async () => {
  await stack.stop();
  rmSync(folder, { recursive: true, force: true });
});

/** Every fenced `ts` block of a markdown file. */
const tsBlocks = (file: string) =>
  [...readFileSync(file, 'utf8').matchAll(/^```ts\n([\s\S]*?)^```/gm)].map((match) => match[1] as string);

async function runBlock(name: string, code: string) {
  const script = join(folder, `${name}.mts`);
  writeFileSync(script, code.replaceAll("'@stratus/client'", JSON.stringify(join(sdkFolder, 'src/index.ts'))));
  // Not spawnSync: the stack answers from this very process, so its event loop must keep running.
  return promisify(execFile)(tsx, [script], {
    cwd: folder,
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, STRATUS_ENDPOINT: stack.url, STRATUS_TOKEN: stack.token },
  });
}

const api = async (path: string): Promise<any> =>
  (await fetch(`${stack.url}/api/v1${path}`, { headers: { authorization: `Bearer ${stack.token}` } })).json();

it("the repository README's TypeScript block runs as written", { timeout: 90_000 }, async () => {
  const blocks = tsBlocks(join(repoRoot, 'README.md'));
  expect(blocks).toHaveLength(1);
  const ran = await runBlock('readme', blocks[0] as string);
  // The search loop printed the run the block logged, with its loss.
  expect(ran.stdout).toContain('ts-baseline 0.3');
  const version = await api('/models/risk_predictor_v2/aliases/champion');
  expect(version.version).toBe(1);
  const run = await api(`/runs/${version.source.run_id}`);
  expect([run.run_name, run.status, run.params.lr]).toEqual(['ts-baseline', 'FINISHED', '0.01']);
  expect(readFileSync(join(folder, 'model', 'model.onnx'), 'utf8')).toBe('onnx weights');
});

it("the SDK README's TypeScript block runs as written", { timeout: 90_000 }, async () => {
  const blocks = tsBlocks(join(sdkFolder, 'README.md'));
  expect(blocks).toHaveLength(1);
  await runBlock('sdk-readme', blocks[0] as string);
  const found = await api(
    '/runs/search?experiment_name=risk_prediction&filter=' + encodeURIComponent("tags.team = 'risk'"),
  );
  expect(found.runs.map((run: { run_name: string; status: string }) => [run.run_name, run.status])).toEqual([
    ['ts-baseline', 'FINISHED'],
  ]);
});
