import { describe, expect, test } from 'vitest';
import type { MetricPoint } from '../../shared/domain/metric-chunk.ts';
import { ROLLUP_BLOCK_STEPS } from '../../shared/domain/rollup.ts';
import { metricHistoryResponse } from '../../shared/http/schemas/metrics.ts';
import { createDocumentClient } from '../../shared/storage/dynamo-client.ts';
import { RunRepository } from '../../shared/storage/run-repository.ts';
import { referenceDownsample, triple } from '../support/downsample-reference.ts';
import { useTestStack } from '../support/local-api.ts';

const local = useTestStack();

const startRun = async () =>
  (await local.api.post('/api/v1/runs', { experiment_name: 'metrics-suite' })).body.run_id as string;

type Point = { step: number; value: number | string; timestamp: number };

async function fullHistory(runId: string, key: string, pageSize: number, extra = ''): Promise<Point[]> {
  const points: Point[] = [];
  let token: string | undefined;
  let pages = 0;
  do {
    const response = await local.api.get(
      `/api/v1/runs/${runId}/metrics/${key}?max_results=${pageSize}${extra}${token ? `&page_token=${encodeURIComponent(token)}` : ''}`,
    );
    expect(response.status).toBe(200);
    const body = metricHistoryResponse.parse(response.body);
    expect(body.points.length).toBeLessThanOrEqual(pageSize);
    points.push(...(body.points as Point[]));
    token = body.next_page_token;
    expect(++pages).toBeLessThan(1000);
  } while (token);
  return points;
}

describe('metrics', () => {
  test("the seed's single form and the batch form both land, latest value per key on the run", async () => {
    const runId = await startRun();
    expect(
      (
        await local.api.post(`/api/v1/runs/${runId}/metrics`, {
          metric_name: 'accuracy',
          metric_value: 0.92,
          step: 10,
        })
      ).body,
    ).toEqual({ run_id: runId, accepted: 1, keys: 1 });
    const batch = await local.api.post(`/api/v1/runs/${runId}/metrics`, {
      metrics: [
        { key: 'accuracy', value: 0.95, step: 12, timestamp: 1_000 },
        { key: 'accuracy', value: 0.5, step: 11, timestamp: 2_000 },
        { key: 'loss', value: 0.3, step: 12 },
      ],
    });
    expect(batch.body).toEqual({ run_id: runId, accepted: 3, keys: 2 });
    // An older step arriving later does not replace the latest value, but lowers the key's lowest step.
    await local.api.post(`/api/v1/runs/${runId}/metrics`, {
      metrics: [{ key: 'accuracy', value: 0.1, step: 3 }],
    });
    const run = await local.api.get(`/api/v1/runs/${runId}`);
    expect(run.body.metrics.accuracy).toEqual({ value: 0.95, step: 12, min_step: 3, timestamp: 1_000 });
    expect(run.body.metrics.loss).toMatchObject({ value: 0.3, step: 12, min_step: 12 });
  });

  test('NaN and the infinities round-trip as strings, in history and in the latest value', async () => {
    const runId = await startRun();
    const logged = await local.api.post(`/api/v1/runs/${runId}/metrics`, {
      metrics: [
        { key: 'loss', value: 'NaN', step: 0 },
        { key: 'loss', value: 'Infinity', step: 1 },
        { key: 'loss', value: '-infinity', step: 2 },
        { key: 'loss', value: 1e-300, step: 3 },
        { key: 'grad', value: 'NaN', step: 9 },
        // Outside DynamoDB's number range (1e-130 to 1e126): must still be exact.
        { key: 'huge', value: 1.7976931348623157e308, step: 1 },
      ],
    });
    expect(logged.status).toBe(200);
    const history = await fullHistory(runId, 'loss', 100);
    expect(history.map((p) => p.value)).toEqual(['NaN', 'Infinity', '-Infinity', 1e-300]);
    const run = await local.api.get(`/api/v1/runs/${runId}`);
    expect(run.body.metrics.grad.value).toBe('NaN');
    expect(run.body.metrics.loss.value).toBe(1e-300);
    expect(run.body.metrics.huge.value).toBe(1.7976931348623157e308);
    const bad = await local.api.post(`/api/v1/runs/${runId}/metrics`, { metric_name: 'x', metric_value: 'lots' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/^body\.metric_value:/);
  });

  test("Python's bare NaN and ±Infinity (json.dumps, requests' json=) are read as those strings, in both APIs", async () => {
    const runId = await startRun();
    // As Python writes them; the words inside a string stay text.
    const body = `{"metrics": [{"key": "loss", "value": NaN, "step": 0}, {"key": "loss", "value": Infinity, "step": 1},
      {"key": "loss", "value": -Infinity, "step": 2}, {"key": "loss", "value": 0.5, "step": 3}]}`;
    expect((await local.api.call('POST', `/api/v1/runs/${runId}/metrics`, body)).status).toBe(200);
    expect((await fullHistory(runId, 'loss', 100)).map((p) => p.value)).toEqual(['NaN', 'Infinity', '-Infinity', 0.5]);
    const mlflow = await local.api.call(
      'POST',
      '/api/2.0/mlflow/runs/log-batch',
      `{"run_id": "${runId}", "metrics": [{"key": "grad", "value": NaN, "timestamp": 1000, "step": 1}],
        "tags": [{"key": "note", "value": "NaN, Infinity and -Infinity stay words here"}]}`,
    );
    expect(mlflow.status, JSON.stringify(mlflow.body)).toBe(200);
    const run = await local.api.get(`/api/v1/runs/${runId}`);
    expect(run.body.metrics.grad.value).toBe('NaN');
    expect(run.body.tags.note).toBe('NaN, Infinity and -Infinity stay words here');
    // Where no metric value is, the word is refused as any string is there, naming the field.
    const misplaced = await local.api.call(
      'POST',
      `/api/v1/runs/${runId}/metrics`,
      '{"metrics": [{"key": "x", "value": 1, "step": NaN}]}',
    );
    expect(misplaced.status).toBe(400);
    expect(misplaced.body.error.message).toMatch(/^body\.metrics\[0\]\.step:/);
    // Anything else JSON has not is still malformed JSON.
    for (const malformed of [
      '{"metrics": [{"key": "x", "value": nan}]}',
      '{"metrics": [{"key": "x", "value": NaNa}]}',
    ]) {
      const refused = await local.api.call('POST', `/api/v1/runs/${runId}/metrics`, malformed);
      expect(refused.status, malformed).toBe(400);
      expect(refused.body.error.code, malformed).toBe('body.invalid_json');
    }
  });

  test('a retried batch with the same idempotency key adds no points', async () => {
    const runId = await startRun();
    const metrics = Array.from({ length: 50 }, (_, i) => ({
      key: 'acc',
      value: i / 50,
      step: i,
      timestamp: 5_000 + i,
    }));
    for (let attempt = 0; attempt < 3; attempt++) {
      const response = await local.api.post(`/api/v1/runs/${runId}/metrics`, {
        metrics,
        idempotency_key: 'batch-0001',
      });
      expect(response.status).toBe(200);
    }
    await local.api.post(`/api/v1/runs/${runId}/metrics`, { metrics }, { 'idempotency-key': 'batch-0001' });
    expect(await fullHistory(runId, 'acc', 1000)).toHaveLength(50);
    // Without a key, a resend is a new batch: the points are logged twice, as MLflow would.
    await local.api.post(`/api/v1/runs/${runId}/metrics`, { metrics });
    expect(await fullHistory(runId, 'acc', 1000)).toHaveLength(100);
  });

  test('a time in microseconds or past year 9999 is refused naming the field; the end of 9999 is taken', async () => {
    // Stored, such a time made the run unreadable to the Python SDK and CLI (datetime stops at year 9999).
    const runId = await startRun();
    const micro = Date.now() * 1000;
    const refusals: Array<[string, string, unknown, string]> = [
      [
        'POST',
        `/api/v1/runs/${runId}/metrics`,
        { metric_name: 'm', metric_value: 1, timestamp: micro },
        'body.timestamp',
      ],
      [
        'POST',
        `/api/v1/runs/${runId}/metrics`,
        { metrics: [{ key: 'm', value: 1, timestamp: micro }] },
        'body.metrics[0].timestamp',
      ],
      [
        'POST',
        `/api/v1/runs/${runId}/batch`,
        { metrics: [{ key: 'm', value: 1, timestamp: micro }] },
        'body.metrics[0].timestamp',
      ],
      [
        'POST',
        '/api/v1/runs',
        { experiment_name: 'metrics-suite', metrics: [{ key: 'm', value: 1, timestamp: micro }] },
        'body.metrics[0].timestamp',
      ],
      ['PATCH', `/api/v1/runs/${runId}`, { status: 'FINISHED', end_time: micro }, 'body.end_time'],
      ['PATCH', `/api/v1/runs/${runId}`, { status: 'FINISHED', end_time: -1 }, 'body.end_time'],
    ];
    for (const [method, path, body, field] of refusals) {
      const response = await local.api.call(method, path, body);
      expect(response.status, `${method} ${path} ${JSON.stringify(body)}`).toBe(400);
      expect(response.body.error.message).toMatch(
        new RegExp(`^${field.replace(/[.[\]]/g, '\\$&')}: must be epoch milliseconds`),
      );
    }
    const endOf9999 = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
    const taken = await local.api.post(`/api/v1/runs/${runId}/metrics`, {
      metrics: [{ key: 'm', value: 1, timestamp: endOf9999 }],
    });
    expect(taken.status).toBe(200);
  });

  test('a history range is given in decimal digits: an empty or hexadecimal bound is a 400 naming it', async () => {
    // Coerced as JavaScript numbers, `start_step=` was 0 (the negative steps silently cut off) and 0x10 was 16.
    const runId = await startRun();
    const metrics = [-5, 0, 5].map((step) => ({ key: 'm', value: step, step }));
    expect((await local.api.post(`/api/v1/runs/${runId}/metrics`, { metrics })).status).toBe(200);
    for (const query of ['start_step=', 'end_step=0x10', 'start_step=1e1', 'max_points=', 'max_points=%205']) {
      const response = await local.api.get(`/api/v1/runs/${runId}/metrics/m?${query}`);
      expect(response.status, query).toBe(400);
      expect(response.body.error.message, query).toMatch(new RegExp(`^query\\.${query.split('=')[0]}: `));
    }
    const ranged = await local.api.get(`/api/v1/runs/${runId}/metrics/m?start_step=-5&end_step=%2B0&max_points=2`);
    expect(ranged.body.points.map((point: Point) => point.step)).toEqual([-5, 0]);
  });

  test('a key reused for other points adds them, and keeps every point acknowledged before', async () => {
    // A job restarted with its batch counter at 0 sends its keys again with other points. Named after the key
    // alone, the second batch's chunks replaced the first's (10 points acknowledged, then gone), and a new key's
    // first few points, kept inline, made the second batch's points for that key vanish behind a 200.
    const runId = await startRun();
    const points = (key: string, from: number, count: number) =>
      Array.from({ length: count }, (_, i) => ({ key, value: from + i, step: from + i, timestamp: 9_000 + from + i }));
    const send = (path: string, body: Record<string, unknown>) =>
      local.api.post(`/api/v1/runs/${runId}/${path}`, body).then((response) => expect(response.status).toBe(200));
    for (const [key, count] of [
      ['chunked', 10],
      ['inline', 2],
    ] as const) {
      await send('metrics', { metrics: points(key, 0, count), idempotency_key: `reused-${key}` });
      await send('metrics', { metrics: points(key, 100, count), idempotency_key: `reused-${key}` });
      await send('batch', { metrics: points(key, 200, count), idempotency_key: `reused-${key}` });
      // Retries of each of them still add nothing.
      await send('metrics', { metrics: points(key, 0, count), idempotency_key: `reused-${key}` });
      await send('batch', { metrics: points(key, 200, count), idempotency_key: `reused-${key}` });
      const steps = (await fullHistory(runId, key, 1000)).map((point) => point.step);
      expect(steps).toEqual([0, 100, 200].flatMap((from) => Array.from({ length: count }, (_, i) => from + i)));
    }
    const run = await local.api.get(`/api/v1/runs/${runId}`);
    expect(run.body.metrics.inline).toMatchObject({ value: 201, step: 201, min_step: 0 });
  });

  test('a history read page by page goes on while the run logs, even a batch wider than any before', async () => {
    // The tokens were bound to the key's widest batch span, which a live run's next batch can widen:
    // every token of the history then became a 400 page_token.invalid in the middle of a read.
    const runId = await startRun();
    const metrics = Array.from({ length: 10 }, (_, step) => ({ key: 'live', value: step, step }));
    expect((await local.api.post(`/api/v1/runs/${runId}/metrics`, { metrics })).status).toBe(200);
    const first = await local.api.get(`/api/v1/runs/${runId}/metrics/live?max_results=3`);
    const steps: number[] = first.body.points.map((point: Point) => point.step);
    const wider = [
      { key: 'live', value: 1, step: 100 },
      { key: 'live', value: 2, step: 5000 },
    ];
    expect((await local.api.post(`/api/v1/runs/${runId}/metrics`, { metrics: wider })).status).toBe(200);
    let token: string | undefined = first.body.next_page_token;
    while (token) {
      const page = await local.api.get(`/api/v1/runs/${runId}/metrics/live?max_results=3&page_token=${token}`);
      expect(page.status, JSON.stringify(page.body)).toBe(200);
      steps.push(...page.body.points.map((point: Point) => point.step));
      token = page.body.next_page_token;
    }
    expect(steps).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 100, 5000]);
  });

  test('history pages in step order across overlapping batches, with nothing lost or repeated', async () => {
    const runId = await startRun();
    const expected: Point[] = [];
    // Three writers whose step ranges interleave, sent out of order.
    const batches = [
      Array.from({ length: 120 }, (_, i) => ({ step: i * 3, timestamp: 10_000 + i, value: i })),
      Array.from({ length: 120 }, (_, i) => ({ step: i * 3 + 1, timestamp: 20_000 + i, value: -(i + 1) })),
      Array.from({ length: 60 }, (_, i) => ({ step: 150 + i, timestamp: 30_000 + i, value: i / 7 })),
    ];
    for (const batch of [batches[2], batches[0], batches[1]]) {
      expected.push(...(batch as Point[]));
      const response = await local.api.post(`/api/v1/runs/${runId}/metrics`, {
        metrics: (batch as Point[]).map((p) => ({ key: 'train/loss', ...p })),
      });
      expect(response.status).toBe(200);
    }
    expected.sort((a, b) => a.step - b.step || a.timestamp - b.timestamp);
    for (const pageSize of [1, 7, 50, 1000]) {
      const history = await fullHistory(runId, 'train/loss', pageSize);
      expect(history).toEqual(expected);
    }
    const window = await fullHistory(runId, 'train/loss', 25, '&start_step=100&end_step=160');
    expect(window).toEqual(expected.filter((p) => p.step >= 100 && p.step <= 160));
  });

  test('max_points downsamples for charts and keeps extremes', async () => {
    const runId = await startRun();
    const metrics = Array.from({ length: 1000 }, (_, i) => ({
      key: 'acc',
      value: i === 777 ? 99 : Math.sin(i),
      step: i,
    }));
    await local.api.post(`/api/v1/runs/${runId}/metrics`, { metrics });
    const response = await local.api.get(`/api/v1/runs/${runId}/metrics/acc?max_points=100`);
    const body = metricHistoryResponse.parse(response.body);
    expect(body.downsampled).toBe(true);
    expect(body.points.length).toBeLessThanOrEqual(100);
    expect(body.points.some((p) => p.step === 777 && p.value === 99)).toBe(true);
    expect((await local.api.get(`/api/v1/runs/${runId}/metrics/acc?max_points=1`)).status).toBe(400);
  });

  test('max_points over a long history matches the brute-force reference, late and repeated steps included', async () => {
    const runId = await startRun();
    const sent: MetricPoint[] = [];
    const send = async (points: MetricPoint[]) => {
      sent.push(...points);
      const response = await local.api.post(`/api/v1/runs/${runId}/metrics`, {
        metrics: points.map((point) => ({ key: 'loss', ...point })),
      });
      expect(response.status).toBe(200);
    };
    // 24 batches of 1,000 steps, spaced so rollups get sealed between them; a spike and a dip in the middle.
    for (let batch = 0; batch < 24; batch++) {
      await send(
        Array.from({ length: 1000 }, (_, i) => {
          const step = batch * 1000 + i;
          const value = step === 12_345 ? 50 : step === 6_789 ? -50 : Math.exp(-step / 8000) + (step % 7) / 100;
          return { step, timestamp: 1_700_000_000_000 + step, value };
        }),
      );
      if (batch % 8 === 7) await new Promise((resolve) => setTimeout(resolve, 1100));
    }
    // Late points below the sealed frontier, and a step logged twice.
    await send([
      { step: 100, timestamp: 1_700_000_100_000, value: 99 },
      { step: 5_000, timestamp: 1_700_000_100_001, value: -99 },
      { step: 5_000, timestamp: 1_700_000_100_002, value: 0.5 },
    ]);
    const history = await fullHistory(runId, 'loss', 10_000);
    expect(history).toHaveLength(sent.length);
    const ordered = history.map((p) => ({ ...p, value: Number(p.value) }));
    for (const [query, start, end, maxPoints] of [
      ['max_points=1000', Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, 1000],
      ['max_points=200&start_step=1234&end_step=20000', 1234, 20_000, 200],
      ['max_points=5&start_step=90&end_step=5001', 90, 5001, 5],
      ['max_points=5000&start_step=23000', 23_000, Number.MAX_SAFE_INTEGER, 5000],
    ] as const) {
      const response = await local.api.get(`/api/v1/runs/${runId}/metrics/loss?${query}`);
      expect(response.status).toBe(200);
      const body = metricHistoryResponse.parse(response.body);
      const expected = referenceDownsample(ordered, start, end, maxPoints);
      expect(body.points.map((p) => triple({ ...p, value: Number(p.value) }))).toEqual(expected.map(triple));
      expect(body.points.length).toBeLessThanOrEqual(maxPoints);
    }
  });

  test('a new key written by concurrent batches: max_points starts at the lowest step, matching the reference', async () => {
    // The batch that registers the key may not hold its lowest steps: the others' steps must widen its bounds
    // (they once did not, and a 1,000,000-step chart started at the step of whichever batch won).
    for (let attempt = 0; attempt < 4; attempt++) {
      const runId = await startRun();
      const batches = Array.from({ length: 8 }, (_, batch) =>
        Array.from({ length: 600 }, (_, i) => {
          const step = batch * 600 + i;
          return { step, timestamp: 1_700_000_000_000 + step, value: Math.cos(step / 97) + (step === 50 ? 9 : 0) };
        }),
      );
      // Highest steps first, so that a batch of lower steps tends to lose the race for the new key.
      const responses = await Promise.all(
        [...batches]
          .reverse()
          .map((points) =>
            local.api.post(`/api/v1/runs/${runId}/metrics`, { metrics: points.map((p) => ({ key: 'loss', ...p })) }),
          ),
      );
      for (const response of responses) expect(response.status).toBe(200);
      const all = batches.flat();
      const response = await local.api.get(`/api/v1/runs/${runId}/metrics/loss?max_points=100`);
      expect(response.status).toBe(200);
      const points = metricHistoryResponse.parse(response.body).points.map((p) => ({ ...p, value: Number(p.value) }));
      expect(points[0]?.step).toBe(0);
      expect(points[points.length - 1]?.step).toBe(all.length - 1);
      const expected = referenceDownsample(all, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, 100);
      expect(points.map(triple)).toEqual(expected.map(triple));
    }
  });

  test('concurrent writers, then the run ends: the frontier is near the last block and max_points reads O(buckets)', async () => {
    const runId = await startRun();
    // 8 writers take 40 batches of 500 steps from one queue (so they land out of order), plus late rewrites.
    const batches = Array.from({ length: 40 }, (_, batch) =>
      Array.from({ length: 500 }, (_, i) => {
        const step = batch * 500 + i;
        return { step, timestamp: 1_700_000_000_000 + step, value: Math.sin(step / 300) + (step === 7777 ? 30 : 0) };
      }),
    );
    batches.splice(30, 0, [{ step: 123, timestamp: 1_700_000_500_000, value: -30 }]);
    let next = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        for (let batch = next++; batch < batches.length; batch = next++) {
          const metrics = (batches[batch] ?? []).map((point) => ({ key: 'loss', ...point }));
          const response = await local.api.post(`/api/v1/runs/${runId}/metrics`, { metrics });
          expect(response.status).toBe(200);
        }
      }),
    );
    expect((await local.api.patch(`/api/v1/runs/${runId}`, { status: 'FINISHED' })).status).toBe(200);
    const runs = new RunRepository(
      createDocumentClient({ region: 'us-east-1', endpoint: local.stack.dynamoDbEndpoint }),
      local.stack.tableName,
    );
    const state = await runs.readState(local.stack.workspace, runId, { metricPages: true });
    const entry = state?.metrics.entries.get('loss')?.value;
    expect(entry?.s).toBe(19_999);
    // Within two blocks of the last complete one (less is not worth a seal when the run ends).
    expect(Math.floor(20_000 / ROLLUP_BLOCK_STEPS) * ROLLUP_BLOCK_STEPS - (entry?.f ?? 0)).toBeLessThan(
      2 * ROLLUP_BLOCK_STEPS,
    );
    expect(entry?.d).toBeUndefined();
    const history = (await fullHistory(runId, 'loss', 10_000)).map((p) => ({ ...p, value: Number(p.value) }));
    expect(history).toHaveLength(20_001);
    const response = await local.api.get(`/api/v1/runs/${runId}/metrics/loss?max_points=1000`);
    expect(response.status).toBe(200);
    const points = metricHistoryResponse.parse(response.body).points.map((p) => ({ ...p, value: Number(p.value) }));
    const expected = referenceDownsample(history, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, 1000);
    expect(points.map(triple)).toEqual(expected.map(triple));
    // Summaries of ~500 buckets in a few items per level, and under one block of raw points: not 20,000 points.
    const header = response.headers.get('x-stratus-consumed-capacity') ?? '';
    const readUnits = Number(/read=([\d.]+)/.exec(header)?.[1]);
    expect(readUnits).toBeGreaterThan(0);
    expect(readUnits).toBeLessThan(10);
  });

  test('a batch over a hundred existing keys with long names lands whole (updates cut to the expression limits)', async () => {
    const runId = await startRun();
    const keys = Array.from({ length: 120 }, (_, k) => `${'k'.repeat(240)}_${String(k).padStart(3, '0')}`);
    for (let round = 0; round < 3; round++) {
      const metrics = keys.map((key, k) => ({
        key,
        value: round * 1000 + k,
        step: round,
        timestamp: 1_700_000_000_000 + round,
      }));
      expect((await local.api.post(`/api/v1/runs/${runId}/metrics`, { metrics })).status).toBe(200);
    }
    const run = await local.api.get(`/api/v1/runs/${runId}`);
    const latest = run.body.metrics as Record<string, { value: number; step: number }>;
    expect(Object.keys(latest)).toHaveLength(120);
    keys.forEach((key, k) => expect(latest[key]).toMatchObject({ value: 2000 + k, step: 2 }));
  });

  test('unknown runs, unknown keys and bad queries', async () => {
    const runId = await startRun();
    expect((await local.api.get(`/api/v1/runs/${'0'.repeat(32)}/metrics/acc`)).status).toBe(404);
    const none = await local.api.get(`/api/v1/runs/${runId}/metrics/never-logged`);
    expect(none).toMatchObject({ status: 200, body: { points: [] } });
    expect((await local.api.get(`/api/v1/runs/${runId}/metrics/acc?start_step=1.5`)).status).toBe(400);
    const foreign = await local.api.get(`/api/v1/runs/${runId}/metrics/acc?page_token=${'e30'}`);
    expect(foreign.status).toBe(400);
    const tooMany = await local.api.post(`/api/v1/runs/${runId}/metrics`, {
      metrics: Array.from({ length: 1001 }, (_, i) => ({ key: 'a', value: i })),
    });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error.message).toMatch(/^body\.metrics/);
    const badStep = await local.api.post(`/api/v1/runs/${runId}/metrics`, {
      metrics: [{ key: 'a', value: 1, step: -1.5 }],
    });
    expect(badStep.body.error.message).toMatch(/^body\.metrics\[0\]\.step:/);
  });

  test('a 1,000-point batch over 10 keys costs at most 0.05 write units a point', async () => {
    const runId = await startRun();
    for (let batch = 0; batch < 2; batch++) {
      const metrics = Array.from({ length: 1000 }, (_, i) => ({
        key: `metric_${i % 10}`,
        value: Math.random(),
        step: batch * 100 + Math.floor(i / 10),
        timestamp: 1_700_000_000_000 + batch * 100 + Math.floor(i / 10),
      }));
      const response = await local.api.post(`/api/v1/runs/${runId}/metrics`, { metrics });
      const header = response.headers.get('x-stratus-consumed-capacity') ?? '';
      const writeUnits = Number(/write=([\d.]+)/.exec(header)?.[1]);
      expect(writeUnits).toBeGreaterThan(0);
      expect(writeUnits / 1000).toBeLessThanOrEqual(0.05);
    }
  });
});
