import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { freePort } from '../../local/stack.ts';
import { issueToken } from '../../shared/domain/tokens.ts';
import { type ApiClient, type ApiResponse, apiClient, useTestStack } from '../support/local-api.ts';
import { isRunning, killGroup, type StackProcess, startStackProcess, waitFor } from '../support/stack-process.ts';

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
  const refused: string[] = [];
  await Promise.all(
    Array.from({ length: 50 }, async (_, client) => {
      for (let batch = 0; batch < 3; batch++) {
        const steps = Array.from({ length: 40 }, (_, i) => client * 1000 + batch * 100 + i);
        // As the SDKs do: a 503 (an overloaded machine can time DynamoDB Local out) is retried
        // after its Retry-After with the same idempotency key, which must not store a point twice.
        for (let attempt = 1; ; attempt++) {
          const response = await local.api.post(`/api/v1/runs/${runId}/metrics`, {
            metrics: steps.flatMap((step) => [
              { key: 'shared', value: step, step },
              { key: `own-${client % 5}`, value: step, step },
            ]),
            idempotency_key: `client-${client}-batch-${batch}`,
          });
          if (response.status === 200) {
            acknowledged.push(...steps);
            break;
          }
          if (response.status !== 503 || attempt === 5) {
            refused.push(`${response.status} ${JSON.stringify(response.body)}`);
            break;
          }
          await new Promise((resolve) => setTimeout(resolve, Number(response.headers.get('retry-after')) * 1000));
        }
      }
    }),
  );
  expect(refused).toEqual([]);
  expect(acknowledged).toHaveLength(50 * 3 * 40);
  const shared = await historyOf(local.api, runId, 'shared');
  expect(shared.map((p) => p.step)).toEqual([...acknowledged].sort((a, b) => a - b));
  expect(shared.every((p) => p.value === p.step)).toBe(true);
  const run = await local.api.get(`/api/v1/runs/${runId}`);
  expect(run.body.metrics.shared.step).toBe(Math.max(...acknowledged));
}, 180_000); // 150 contending batches on one run: 20-30 s quiet, past 60 s at load average 30; no timing is checked

/**
 * The local stack as `npm start` runs it, killed in the ways the outside test
 * killed it. One stack process (and its data directory) serves the tests in
 * order: each leaves it running for the next, until the last kills it.
 */
describe('the local stack process', () => {
  let dataDirectory: string;
  let port: number;
  const token = issueToken().token;
  const started: StackProcess[] = [];
  let first: StackProcess;
  let client: ApiClient;
  let runId: string;
  const acknowledged = new Set<number>();

  beforeAll(async () => {
    dataDirectory = mkdtempSync(join(tmpdir(), 'stratus-fault-'));
    port = await freePort();
    first = startStackProcess({ dataDirectory, port, token });
    started.push(first);
    await first.ready;
    client = apiClient(`http://127.0.0.1:${port}`, token);
    runId = (await client.post('/api/v1/runs', { experiment_name: 'faults' })).body.run_id as string;
  }, 120_000);
  afterAll(async () => {
    await Promise.all(started.map((stack) => killGroup(stack.child)));
    rmSync(dataDirectory, { recursive: true, force: true });
  });

  test("starts with no warning: the first lines a newcomer reads are the stack's own", () => {
    expect(first.output()).not.toMatch(/warning/i);
    expect(first.output()).toMatch(/^Stratus local stack is up\n/);
  });

  /**
   * Writers that behave like the SDKs: each batch keeps its idempotency key
   * through retries, and a 503 is retried after its Retry-After. Every answer is
   * recorded; a batch counts as acknowledged on its 200.
   */
  function startWriters(count: number) {
    const answers: ApiResponse[] = [];
    let stop = false;
    let nextBatch = acknowledged.size === 0 ? 0 : Math.max(...acknowledged) / 50 + 1000;
    const writers = Array.from({ length: count }, async () => {
      while (!stop) {
        const base = nextBatch++ * 50;
        for (;;) {
          let response: ApiResponse;
          try {
            response = await client.post(`/api/v1/runs/${runId}/metrics`, {
              metrics: Array.from({ length: 50 }, (_, i) => ({ key: 'loss', value: base + i, step: base + i })),
              idempotency_key: `batch-${base}`,
            });
          } catch {
            return; // the API itself is gone: this batch was never acknowledged
          }
          answers.push(response);
          if (response.status === 200) {
            acknowledged.add(base);
            break;
          }
          if (response.status !== 503) return;
          await new Promise((resolve) => setTimeout(resolve, Number(response.headers.get('retry-after')) * 1000));
        }
      }
    });
    return {
      answers,
      stop: async () => {
        stop = true;
        await Promise.all(writers);
      },
    };
  }

  async function expectEveryAcknowledgedPointOnce() {
    const steps = (await historyOf(client, runId, 'loss')).map((point) => point.step);
    expect(new Set(steps).size, 'no point is stored twice').toBe(steps.length);
    const stored = new Set(steps);
    for (const base of acknowledged) {
      for (let i = 0; i < 50; i++) expect(stored.has(base + i), `step ${base + i}`).toBe(true);
    }
  }

  test('a second stack on the same data directory is refused, naming the first', async () => {
    const second = startStackProcess({ dataDirectory, port: await freePort(), token });
    started.push(second);
    expect(await second.exited).toBe(1);
    expect(second.output()).toContain(`in use by another Stratus local stack (pid ${first.child.pid}`);
    expect((await client.get(`/api/v1/runs/${runId}`)).status).toBe(200);
  });

  test('a killed DynamoDB Local is restarted; meanwhile clients get 503 with Retry-After, and nothing is lost', async () => {
    const { dynamoDbPid } = await first.ready;
    const writers = startWriters(4);
    const readers: ApiResponse[] = [];
    let reading = true;
    const reader = (async () => {
      while (reading) readers.push(await client.get(`/api/v1/runs/${runId}`));
    })();
    expect(await waitFor(() => writers.answers.length >= 20, 30_000)).toBe(true);
    process.kill(dynamoDbPid, 'SIGKILL');
    expect(await waitFor(() => first.output().includes('DynamoDB Local is back'), 60_000)).toBe(true);
    expect(first.output()).toContain(`DynamoDB Local (pid ${dynamoDbPid}) was killed by SIGKILL; restarting it`);
    const seen = writers.answers.length;
    expect(await waitFor(() => writers.answers.slice(seen).some((r) => r.status === 200), 30_000)).toBe(true);
    reading = false;
    await Promise.all([writers.stop(), reader]);

    const answers = [...writers.answers, ...readers];
    const unavailable = answers.filter((response) => response.status === 503);
    expect(unavailable.length, 'the outage was seen').toBeGreaterThan(0);
    for (const response of answers) expect([200, 503]).toContain(response.status);
    for (const response of unavailable) {
      expect(response.body.error.code).toBe('service.unavailable');
      expect(Number(response.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    }
    await expectEveryAcknowledgedPointOnce();
  }, 120_000);

  test('a killed S3 server is restarted; meanwhile uploads get 503, afterwards they work', async () => {
    const { s3Pid } = await first.ready;
    process.kill(s3Pid, 'SIGKILL');
    // Planning a multipart upload calls S3: 503 while it is down (or 201 if it is already back).
    const during = await client.post(`/api/v1/runs/${runId}/artifacts`, {
      path: 'during.bin',
      artifact_type: 'other',
      size_bytes: 80 * 1024 * 1024,
    });
    expect([201, 503]).toContain(during.status);
    if (during.status === 503) expect(during.headers.get('retry-after')).not.toBeNull();
    expect(await waitFor(() => first.output().includes('versitygw is back'), 60_000)).toBe(true);
    const plan = await client.post(`/api/v1/runs/${runId}/artifacts`, {
      path: 'after.txt',
      artifact_type: 'other',
      size_bytes: 5,
    });
    expect(plan.status).toBe(201);
    const put = await fetch(plan.body.upload.url, { method: 'PUT', headers: plan.body.upload.headers, body: 'hello' });
    expect(put.status).toBe(200);
    expect((await client.post(`/api/v1/runs/${runId}/artifacts/complete`, { path: 'after.txt' })).status).toBe(200);
  }, 120_000);

  test('SIGKILL to the stack mid-ingest stops its servers with it, and the next start takes over with nothing lost', async () => {
    const children = [lastPid(first.output(), 'DynamoDB Local'), lastPid(first.output(), 'versitygw')];
    const writers = startWriters(4);
    const before = acknowledged.size;
    expect(await waitFor(() => acknowledged.size >= before + 30, 30_000)).toBe(true);
    process.kill(first.child.pid as number, 'SIGKILL'); // the stack alone, with requests in flight
    await writers.stop();
    expect(await waitFor(() => children.every((pid) => !isRunning(pid)), 15_000), 'child servers exited').toBe(true);

    const next = startStackProcess({ dataDirectory, port, token });
    started.push(next);
    await next.ready;
    await expectEveryAcknowledgedPointOnce();
  }, 120_000);
});

/** The pid a child server has now: the one it started with, or the one of its latest restart. */
function lastPid(output: string, name: string): number {
  const pids = [...output.matchAll(new RegExp(`${name} (?:\\(pid |is back \\(pid )(\\d+)\\)`, 'g'))];
  return Number(pids.at(-1)?.[1]);
}
