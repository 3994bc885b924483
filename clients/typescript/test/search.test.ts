import { afterAll, beforeAll, expect, it } from 'vitest';
import { type TestStack, startTestStack } from '../../../test/support/local-api.ts';
import { ExperimentTracker, type Run } from '../src/index.ts';

let stack: TestStack;
let client: ExperimentTracker;
const ids: string[] = [];
const experiment = 'ts-search';

beforeAll(async () => {
  stack = await startTestStack();
  client = new ExperimentTracker({ endpoint: stack.url, token: stack.token, warn: () => undefined });
  const specs: Array<[string, number, number]> = [
    ['rf', 0.82, 0.8],
    ['xgboost', 0.91, 0.88],
    ['xgboost', 0.87, 0.9],
  ];
  for (const [model, accuracy, f1] of specs) {
    ids.push(
      await client.withRun(experiment, { runName: `${model}-${accuracy}` }, async (run, t) => {
        await t.logParams({ model_type: model }, run.runId);
        t.logMetrics({ accuracy, f1_score: f1 }, { runId: run.runId });
        return run.runId;
      }),
    );
  }
});
afterAll(async () => {
  await stack.stop();
});

const collect = async (runs: AsyncIterable<Run>) => {
  const found: string[] = [];
  for await (const run of runs) found.push(run.runId);
  return found;
};

it('searches with filters and order, across pages', async () => {
  expect(await collect(client.searchRuns({ experimentName: experiment, filter: 'metrics.accuracy > 0.9' }))).toEqual([
    ids[1],
  ]);
  const ordered = await collect(
    client.searchRuns({ experimentName: experiment, orderBy: ['metrics.accuracy DESC'], pageSize: 1 }),
  );
  expect(ordered).toEqual([ids[1], ids[2], ids[0]]);
  const pages: number[] = [];
  for await (const page of client.searchRunPages({ experimentName: experiment, pageSize: 2 })) pages.push(page.length);
  expect(pages).toEqual([2, 1]);
  const complex = await collect(
    client.searchRuns({
      experimentName: experiment,
      filter: "params.model_type = 'xgboost' AND metrics.accuracy > 0.85",
      orderBy: ['metrics.f1_score DESC', 'start_time DESC'],
    }),
  );
  expect(complex).toEqual([ids[2], ids[1]]);
});

it('compares runs as rows with metric and param columns', async () => {
  const rows = await client.compareRuns({ runIds: ids, metricNames: ['accuracy'] });
  expect(rows.map((row) => row.run_id)).toEqual(ids);
  expect(rows[1]?.['metrics.accuracy']).toBeCloseTo(0.91);
  expect(rows[0]?.['params.model_type']).toBe('rf');
  expect(rows[0]).not.toHaveProperty('metrics.f1_score');
});

it('compares a sweep of more runs than the service takes in one request', async () => {
  // Past 100 run ids the service answers 400 (run_ids); the client asks in slices and merges them.
  const sweep: string[] = [];
  for (let index = 0; index < 150; index++) {
    const response = await fetch(`${stack.url}/api/v1/runs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${stack.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        experiment_name: 'ts-sweep',
        params: { seed: 7, phase: index < 100 ? 'warmup' : 'main', ...(index === 149 ? { late: 'yes' } : {}) },
        metrics: [{ key: 'acc', value: index / 150 }],
      }),
    });
    sweep.push(((await response.json()) as { run_id: string }).run_id);
  }
  const rows = await client.compareRuns({ runIds: sweep, onlyDifferingParams: true });
  expect(rows.map((row) => row.run_id)).toEqual(sweep);
  expect(Object.keys(rows[0] ?? {})).toEqual([
    'run_id',
    'run_name',
    'status',
    'start_time',
    'metrics.acc',
    'params.late',
    'params.phase',
  ]);
  expect(rows[149]?.['params.late']).toBe('yes');
  expect(rows[0]?.['params.late']).toBeNull();
  expect(rows[120]?.['metrics.acc']).toBeCloseTo(0.8);
});

it('logs params as String() writes them, NaN and infinities included', async () => {
  // JSON has no NaN: sent as numbers, they travelled as null and the service refused the request.
  const run = await client.startRun('ts-params');
  await client.logParams({ lr: 1e-5, clip: Number.POSITIVE_INFINITY, missing: Number.NaN, bn: true }, run.runId);
  await client.endRun('FINISHED', run.runId);
  expect((await client.getRun(run.runId)).params).toEqual({
    lr: '0.00001',
    clip: 'Infinity',
    missing: 'NaN',
    bn: 'true',
  });
});

const postRun = async (body: Record<string, unknown>) => {
  const response = await fetch(`${stack.url}/api/v1/runs`, {
    method: 'POST',
    headers: { authorization: `Bearer ${stack.token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return ((await response.json()) as { run_id: string }).run_id;
};

it('compares only the params that differ by default, as the Python SDK and the README say', async () => {
  const pair = [
    await postRun({ experiment_name: 'ts-differing', params: { seed: 7, model: 'a' } }),
    await postRun({ experiment_name: 'ts-differing', params: { seed: 7, model: 'b' } }),
  ];
  const columns = async (options: { paramNames?: string[]; onlyDifferingParams?: boolean }) =>
    Object.keys((await client.compareRuns({ runIds: pair, ...options }))[0] ?? {}).filter((c) =>
      c.startsWith('params.'),
    );
  expect(await columns({})).toEqual(['params.model']);
  expect(await columns({ onlyDifferingParams: false })).toEqual(['params.model', 'params.seed']);
  expect(await columns({ paramNames: ['seed'] })).toEqual(['params.seed']);
});

it("reads a run's params and tags past the first page of its answer, and each metric's minStep", async () => {
  // Over 1 MiB of each: a run's answer carries the first page, with a token for the rest.
  const params = Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`p${i}`, 'x'.repeat(6000)]));
  const tags = Object.fromEntries(Array.from({ length: 180 }, (_, i) => [`t${i}`, 'y'.repeat(8000)]));
  const run = await client.startRun('ts-pages');
  await client.logParams(params, run.runId);
  const entries = Object.entries(tags);
  for (let start = 0; start < entries.length; start += 50) {
    await client.setTags(Object.fromEntries(entries.slice(start, start + 50)), run.runId);
  }
  client.logMetrics({ loss: 0.5 }, { step: 3, runId: run.runId });
  client.logMetrics({ loss: 0.4 }, { step: 5, runId: run.runId });
  await client.endRun('FINISHED', run.runId);
  const raw = (await (
    await fetch(`${stack.url}/api/v1/runs/${run.runId}`, { headers: { authorization: `Bearer ${stack.token}` } })
  ).json()) as { params: Record<string, string>; params_truncated?: true };
  expect(Object.keys(raw.params).length).toBeLessThan(200);
  expect(raw.params_truncated).toBe(true);
  const read = await client.getRun(run.runId);
  expect(read.params).toEqual(params);
  expect(Object.keys(read.tags).filter((key) => /^t\d+$/.test(key))).toHaveLength(180);
  expect(read.latestMetrics.loss).toMatchObject({ step: 5, minStep: 3 });
  const [searched] = await collectRuns(client.searchRuns({ experimentName: 'ts-pages' }));
  expect(searched?.params).toEqual(params);
  const [listed] = await collectRuns(client.runs('ts-pages'));
  expect(Object.keys(listed?.tags ?? {}).filter((key) => /^t\d+$/.test(key))).toHaveLength(180);
});

const collectRuns = async (runs: AsyncIterable<Run>) => {
  const found: Run[] = [];
  for await (const run of runs) found.push(run);
  return found;
};

it("compares every cell of runs past the answer's bound, reading the flagged runs whole", async () => {
  // A `"` is four bytes in the payload (escaped in the body, then in the function's answer): three runs of 100
  // such params are 7.2 MB, so the service ends its param columns and flags the runs with values past them.
  const params = Object.fromEntries(
    Array.from({ length: 100 }, (_, i) => [`p${String(i).padStart(3, '0')}`, `v${i}${'"'.repeat(5990)}`]),
  );
  const wide: string[] = [];
  for (let i = 0; i < 3; i++) {
    const run = await client.startRun('ts-bound');
    for (const slice of [0, 50]) {
      await client.logParams(
        Object.fromEntries([...Object.entries(params).slice(slice, slice + 50), ['seed', '7']]),
        run.runId,
      );
    }
    wide.push(run.runId);
  }
  const narrow = await postRun({ experiment_name: 'ts-bound', params: { seed: '7', 'z-last': 'small' } });
  // Five runs of 1,000 metrics with 250-character keys, all different: 5,000 columns of five cells.
  const deep: string[] = [];
  for (let run = 0; run < 5; run++) {
    const metrics = Array.from({ length: 1000 }, (_, i) => ({
      key: `m${run}-${i}-`.padEnd(250, 'x'),
      value: i / 8,
      step: 0,
    }));
    deep.push(await postRun({ experiment_name: 'ts-bound-metrics', metrics }));
  }

  const raw = async (runIds: string[]) => {
    const response = await fetch(`${stack.url}/api/v1/runs/compare`, {
      method: 'POST',
      headers: { authorization: `Bearer ${stack.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ run_ids: runIds }),
    });
    return (await response.json()) as { runs: Array<Record<string, unknown>> };
  };
  expect((await raw(wide)).runs.every((run) => run.params_truncated === true)).toBe(true);
  expect((await raw(deep)).runs.at(-1)?.metrics_truncated).toBe(true);

  const rows = await client.compareRuns({ runIds: [...wide, narrow], onlyDifferingParams: false });
  const paramColumns = Object.keys(rows[0] ?? {}).filter((column) => column.startsWith('params.'));
  expect(paramColumns).toEqual([...Object.keys(params), 'seed', 'z-last'].sort().map((key) => `params.${key}`));
  for (const row of rows.slice(0, 3)) {
    expect(Object.keys(params).every((key) => row[`params.${key}`] === params[key])).toBe(true);
    expect(row['params.z-last']).toBeNull();
  }
  expect(rows[3]).toMatchObject({ 'params.z-last': 'small', 'params.p099': null });
  const differing = Object.keys((await client.compareRuns({ runIds: [...wide, narrow] }))[0] ?? {});
  expect(differing).not.toContain('params.seed');
  expect(differing.at(-1)).toBe('params.z-last');

  const deepRows = await client.compareRuns({ runIds: deep });
  deepRows.forEach((row, run) => {
    const cells = Object.entries(row).filter(([column, value]) => column.startsWith('metrics.') && value !== null);
    expect(cells.length).toBe(1000);
    expect(cells.every(([column]) => column.startsWith(`metrics.m${run}-`))).toBe(true);
    expect(row[`metrics.${`m${run}-8-`.padEnd(250, 'x')}`]).toBe(1);
  });
  expect(Object.keys(deepRows[0] ?? {}).filter((column) => column.startsWith('metrics.')).length).toBe(5000);
}, 180_000);
