import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type TestStack, startTestStack } from '../../../test/support/local-api.ts';
import { ExperimentTracker } from '../src/index.ts';

const MiB = 1024 * 1024;
let stack: TestStack;
let client: ExperimentTracker;
let scratch: string;
beforeAll(async () => {
  // Multipart above 5 MiB in 5 MiB parts (S3's minimum), so a small file takes the parallel path.
  stack = await startTestStack({ multipartThresholdBytes: 5 * MiB, partSizeBytes: 5 * MiB });
  client = new ExperimentTracker({ endpoint: stack.url, token: stack.token, warn: () => undefined });
  scratch = mkdtempSync(join(tmpdir(), 'stratus-ts-artifacts-'));
});
afterAll(async () => {
  await stack.stop();
  rmSync(scratch, { recursive: true, force: true });
});

const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

it('uploads small and large artifacts and downloads them intact', async () => {
  const small = join(scratch, 'model.pkl');
  const large = join(scratch, 'data.bin');
  writeFileSync(small, randomBytes(5000));
  writeFileSync(large, randomBytes(11 * MiB + 7));
  const run = await client.startRun('ts-artifacts');
  const model = await client.logArtifact(small, { artifactType: 'model' });
  expect(model).toMatchObject({ path: 'model.pkl', artifactType: 'model', sizeBytes: 5000, status: 'COMPLETE' });
  const progress: number[] = [];
  const data = await client.logArtifact(large, {
    artifactType: 'data',
    artifactPath: 'data/train.bin',
    onProgress: (done) => progress.push(done),
  });
  expect(data?.sizeBytes).toBe(11 * MiB + 7);
  expect(progress.at(0)).toBe(0);
  expect(progress.at(-1)).toBe(11 * MiB + 7);
  expect(progress.length).toBe(4); // the start, then one call per part (3 parts)
  await client.endRun();

  expect((await client.getRun(run.runId)).artifacts.map((artifact) => artifact.path).sort()).toEqual([
    'data/train.bin',
    'model.pkl',
  ]);
  const listed: string[] = [];
  for await (const artifact of client.artifacts(run.runId, { prefix: 'data/' })) listed.push(artifact.path);
  expect(listed).toEqual(['data/train.bin']);
  const copy = await client.downloadArtifact(run.runId, 'data/train.bin', join(scratch, 'copy.bin'));
  expect(sha256(copy)).toBe(sha256(large));
});
