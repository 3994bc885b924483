import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type TestStack, startTestStack } from '../../../test/support/local-api.ts';
import { ExperimentTracker, ModelRegistry, StratusError } from '../src/index.ts';

let stack: TestStack;
let tracker: ExperimentTracker;
let registry: ModelRegistry;
let scratch: string;
beforeAll(async () => {
  stack = await startTestStack();
  tracker = new ExperimentTracker({ endpoint: stack.url, token: stack.token, warn: () => undefined });
  registry = new ModelRegistry({ endpoint: stack.url, token: stack.token });
  scratch = mkdtempSync(join(tmpdir(), 'stratus-ts-registry-'));
});
afterAll(async () => {
  await tracker.close();
  await stack.stop();
  rmSync(scratch, { recursive: true, force: true });
});

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

it('registers a logged artifact and a local folder, moves an alias and downloads checked files', async () => {
  const bytes = randomBytes(4000);
  const file = join(scratch, 'model.onnx');
  writeFileSync(file, bytes);
  const run = await tracker.startRun('ts-registry');
  await tracker.logArtifact(file, { artifactType: 'model', artifactPath: 'model.onnx' });

  const v1 = await registry.registerModel('ts-model', 'model.onnx', {
    metadata: { run_id: run.runId, accuracy: 0.91 },
    tags: { framework: 'onnx' },
  });
  expect(v1).toMatchObject({ name: 'ts-model', version: 1, runId: run.runId, sourceKind: 'file', sizeBytes: 4000 });
  expect(v1.files).toEqual([
    { path: 'model.onnx', artifactPath: 'model.onnx', sizeBytes: 4000, sha256: sha256(bytes), sha256Source: 's3' },
  ]);

  // A local folder the run does not have yet is uploaded first, then registered.
  const folder = join(scratch, 'bundle');
  mkdirSync(join(folder, 'data'), { recursive: true });
  writeFileSync(join(folder, 'MLmodel'), 'flavors: {}\n');
  writeFileSync(join(folder, 'data', 'weights.bin'), randomBytes(700));
  const cwd = process.cwd();
  process.chdir(scratch);
  let v2;
  try {
    v2 = await registry.registerModel('ts-model', 'bundle', { runId: run.runId });
  } finally {
    process.chdir(cwd);
  }
  expect(v2.version).toBe(2);
  expect(v2.files.map((f) => f.path).sort()).toEqual(['MLmodel', 'data/weights.bin']);

  await registry.setAlias('ts-model', 'champion', 1);
  await registry.setAlias('ts-model', 'champion', 2);
  expect((await registry.getModel('ts-model')).aliases).toEqual(new Map([['champion', 2]]));
  expect((await registry.getModelVersion('ts-model', 'champion')).version).toBe(2);
  expect((await registry.getModelVersion('ts-model', 'latest')).version).toBe(2);
  const history = [];
  for await (const event of registry.aliasHistory('ts-model', { alias: 'champion' })) history.push(event);
  expect(history.map((e) => [e.change, e.fromVersion, e.toVersion])).toEqual([
    ['set', 1, 2],
    ['set', undefined, 1],
  ]);

  const out = await registry.download('ts-model', 'champion', join(scratch, 'out'));
  expect(readFileSync(join(out, 'data', 'weights.bin'))).toEqual(readFileSync(join(folder, 'data', 'weights.bin')));
  const one = await registry.download('ts-model', 1, join(scratch, 'one'));
  expect(sha256(readFileSync(one))).toBe(sha256(bytes));

  const versions = [];
  for await (const version of registry.modelVersions('ts-model')) versions.push(version.version);
  expect(versions).toEqual([2, 1]);
  const missing = await registry.getModelVersion('ts-model', 9).catch((error: unknown) => error);
  expect(missing).toBeInstanceOf(StratusError);
  expect((missing as StratusError).code).toBe('model_version.not_found');
});
