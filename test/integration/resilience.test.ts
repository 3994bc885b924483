import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { freePort } from '../../local/stack.ts';
import { issueToken } from '../../shared/domain/tokens.ts';
import { type ApiClient, apiClient, useTestStack } from '../support/local-api.ts';

const local = useTestStack();

async function historyOf(client: ApiClient, runId: string, key: string) {
  const points: Array<{ step: number; value: number }> = [];
  let token: string | undefined;
  do {
    const page = await client.get(
      `/api/v1/runs/${runId}/metrics/${key}?max_results=10000${token ? `&page_token=${encodeURIComponent(token)}` : ''}`,
    );
    expect(page.status).toBe(200);
    points.push(...page.body.points);
    token = page.body.next_page_token;
  } while (token);
  return points;
}

test('50 clients logging to one run at once: every acknowledged point is there exactly once', async () => {
  const runId = (await local.api.post('/api/v1/runs', { experiment_name: 'concurrency' })).body.run_id as string;
  const acknowledged: number[] = [];
  await Promise.all(
    Array.from({ length: 50 }, async (_, client) => {
      for (let batch = 0; batch < 3; batch++) {
        const steps = Array.from({ length: 40 }, (_, i) => client * 1000 + batch * 100 + i);
        const response = await local.api.post(`/api/v1/runs/${runId}/metrics`, {
          metrics: steps.flatMap((step) => [
            { key: 'shared', value: step, step },
            { key: `own-${client % 5}`, value: step, step },
          ]),
          idempotency_key: `client-${client}-batch-${batch}`,
        });
        if (response.status === 200) acknowledged.push(...steps);
      }
    }),
  );
  expect(acknowledged).toHaveLength(50 * 3 * 40);
  const shared = await historyOf(local.api, runId, 'shared');
  expect(shared.map((p) => p.step)).toEqual([...acknowledged].sort((a, b) => a - b));
  expect(shared.every((p) => p.value === p.step)).toBe(true);
  const run = await local.api.get(`/api/v1/runs/${runId}`);
  expect(run.body.metrics.shared.step).toBe(Math.max(...acknowledged));
});

/** `npm start` as a separate process group, so a kill takes its DynamoDB Local down with it. */
function startStackProcess(dataDirectory: string, port: number, token: string) {
  // This test process points its own handlers at the shared DynamoDB Local; the child must start its own.
  const { STRATUS_DYNAMODB_ENDPOINT: _shared, ...inherited } = process.env;
  const child = spawn('npx', ['tsx', 'local/start.ts'], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...inherited,
      STRATUS_DATA_DIR: dataDirectory,
      STRATUS_PORT: String(port),
      STRATUS_TOKEN: token,
      STRATUS_TABLE_NAME: 'fault',
      STRATUS_LOG_LEVEL: 'error',
    },
  });
  const ready = new Promise<void>((resolve, reject) => {
    let output = '';
    child.stdout?.on('data', (chunk) => {
      output += chunk;
      if (output.includes('Press Ctrl-C to stop')) resolve();
    });
    child.stderr?.on('data', (chunk) => {
      output += chunk;
    });
    child.once('exit', (code) => reject(new Error(`stack exited early (${code}): ${output.slice(-1000)}`)));
  });
  return { child, ready };
}

/** Kills the whole group, even when its leader is gone already: its servers may not be. */
const killGroup = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    const exited = child.exitCode !== null || child.signalCode !== null;
    if (!exited) child.once('exit', () => resolve());
    try {
      process.kill(-(child.pid as number), 'SIGKILL');
    } catch {
      // no process is left in the group
    }
    if (exited) resolve();
  });

test('killing the stack mid-ingest loses no acknowledged batch', async () => {
  const dataDirectory = mkdtempSync(join(tmpdir(), 'stratus-fault-'));
  const token = issueToken().token;
  const port = await freePort();
  const first = startStackProcess(dataDirectory, port, token);
  let second: ReturnType<typeof startStackProcess> | undefined;
  try {
    await first.ready;
    const client = apiClient(`http://127.0.0.1:${port}`, token);
    const runId = (await client.post('/api/v1/runs', { experiment_name: 'faults' })).body.run_id as string;
    const acknowledged: number[] = [];
    let stop = false;
    let refused: string | undefined;
    const writers = Array.from({ length: 4 }, async (_, writer) => {
      for (let batch = 0; !stop && !refused; batch++) {
        const base = (writer * 100_000 + batch) * 50;
        let response;
        try {
          response = await client.post(`/api/v1/runs/${runId}/metrics`, {
            metrics: Array.from({ length: 50 }, (_, i) => ({ key: 'loss', value: base + i, step: base + i })),
          });
        } catch {
          return; // the connection died with the stack: this batch was never acknowledged
        }
        if (response.status === 200) acknowledged.push(base);
        else refused = `${response.status} ${JSON.stringify(response.body)}`;
      }
    });
    // A stack that refuses the batches fails the test here (and the finally block cleans up), not at a timeout.
    while (acknowledged.length < 30 && !refused) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(refused).toBeUndefined();
    await killGroup(first.child); // mid-flight: writers have requests outstanding
    stop = true;
    await Promise.all(writers);

    second = startStackProcess(dataDirectory, port, token);
    await second.ready;
    const steps = new Set((await historyOf(client, runId, 'loss')).map((p) => p.step));
    for (const base of acknowledged) {
      for (let i = 0; i < 50; i++) expect(steps.has(base + i), `step ${base + i}`).toBe(true);
    }
  } finally {
    await killGroup(first.child);
    if (second) await killGroup(second.child);
    rmSync(dataDirectory, { recursive: true, force: true });
  }
}, 120_000);
