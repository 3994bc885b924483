import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { artifactLimits } from '../../shared/domain/artifacts.ts';
import { MAX_METRIC_INDEX_SLOTS } from '../../shared/storage/table-definition.ts';
import { killGroup } from '../support/stack-process.ts';

/**
 * `npm start` with a numeric setting out of its range stops before it starts
 * anything: exit code 2 and one line on stderr naming the variable and the
 * range, no stack trace, no data directory created.
 */
const scratch = mkdtempSync(join(tmpdir(), 'stratus-start-settings-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

async function startWith(name: string, value: string, script = 'local/start.ts') {
  const dataDirectory = join(scratch, name);
  // The test process's own endpoints would make the child skip its servers: a bad value must stop it either way.
  const { STRATUS_DYNAMODB_ENDPOINT: _dynamo, STRATUS_S3_ENDPOINT: _s3, ...inherited } = process.env;
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...inherited, STRATUS_PORT: '0', STRATUS_DATA_DIR: dataDirectory, [name]: value },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  // A stack that started anyway is stopped, with whatever servers it began.
  const timer = setTimeout(() => void killGroup(child), 50_000);
  const code = await exited;
  clearTimeout(timer);
  await killGroup(child);
  return { code, stdout, stderr, dataDirectoryCreated: existsSync(dataDirectory) };
}

const { minPartBytes, maxPartBytes } = artifactLimits;
const cases: Array<[name: string, value: string, min: number, max: number]> = [
  ['STRATUS_MULTIPART_THRESHOLD_BYTES', '1024', minPartBytes, maxPartBytes],
  ['STRATUS_MULTIPART_PART_SIZE_BYTES', String(maxPartBytes + 1), minPartBytes, maxPartBytes],
  // A fraction below the minimum fails two checks, and still gets one line.
  ['STRATUS_MULTIPART_THRESHOLD_BYTES', '1.5', minPartBytes, maxPartBytes],
  ['STRATUS_ARTIFACT_URL_TTL_SECONDS', '3601', 1, 3600],
  ['STRATUS_METRIC_INDEX_SLOTS', String(MAX_METRIC_INDEX_SLOTS + 1), 0, MAX_METRIC_INDEX_SLOTS],
  ['STRATUS_PORT', 'eighty', 0, 65535],
];

test.concurrent.each(cases)(
  '%s=%s: exit 2, one line naming the variable and its range',
  async (name, value, min, max) => {
    const result = await startWith(name, value);
    expect(result.stderr).toBe(`${name}: must be a whole number from ${min} to ${max}\n`);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.dataDirectoryCreated).toBe(false);
  },
  60_000,
);

test('npm run start:localstack with STRATUS_LOCALSTACK_PORT out of range: exit 2, one line, LocalStack not started', async () => {
  const result = await startWith('STRATUS_LOCALSTACK_PORT', '70000', 'local/start-localstack.ts');
  expect(result.stderr).toBe('STRATUS_LOCALSTACK_PORT: must be a whole number from 1 to 65535\n');
  expect(result.code).toBe(2);
  expect(result.dataDirectoryCreated).toBe(false);
}, 60_000);
