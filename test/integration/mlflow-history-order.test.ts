import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, test } from 'vitest';
import { type ApiClient, useTestStack } from '../support/local-api.ts';

/**
 * MLflow's metric history order through HTTP, against MLflow 3.17.2's own SQL store for the same
 * histories (test/support/mlflow-history-order-reference.json, made by
 * mlflow_history_order_reference.py): GET metrics/get-history answers points by timestamp, then
 * step, then value, whole and in pages that follow each other (Stratus answered them by step), and
 * MLflow's web-app route /ajax-api/2.0/mlflow/metrics/get-history-bulk (which Stratus did not serve)
 * answers the runs in id order, each in that order, `max_results` points in all.
 */
const local = useTestStack();

type Value = number | 'NaN' | 'Infinity' | '-Infinity';
interface HistoryOrderCase {
  label: string;
  /** Each run's points as logged, in batches of `batch`; runs are named in the order of their ids. */
  runs: Record<string, Array<[step: number, timestamp: number, value: Value]>>;
  /** MLflow's history of each run: indexes into its points. */
  order: Record<string, number[]>;
  page_sizes: number[];
  bulk_max_results: number[];
}
const cases = JSON.parse(
  readFileSync(new URL('../support/mlflow-history-order-reference.json', import.meta.url), 'utf8'),
) as HistoryOrderCase[];
const batch = 400;

const mlflowPoint = ([step, timestamp, value]: [number, number, Value]) => ({ key: 'm', value, timestamp, step });

/** The case's runs made and logged: their ids by name, names given in the order of the ids. */
async function logCase(api: ApiClient, c: HistoryOrderCase): Promise<Map<string, string>> {
  const experiment = await api.post('/api/2.0/mlflow/experiments/create', { name: `history order ${c.label}` });
  expect(experiment.status).toBe(200);
  const ids: string[] = [];
  for (const _ of Object.keys(c.runs)) {
    const created = await api.post('/api/2.0/mlflow/runs/create', { experiment_id: experiment.body.experiment_id });
    expect(created.status).toBe(200);
    ids.push(created.body.run.info.run_id);
  }
  ids.sort();
  const runIds = new Map(
    Object.keys(c.runs)
      .sort()
      .map((name, index) => [name, ids[index] as string]),
  );
  for (const [name, points] of Object.entries(c.runs)) {
    for (let from = 0; from < points.length; from += batch) {
      const logged = await api.post('/api/2.0/mlflow/runs/log-batch', {
        run_id: runIds.get(name),
        metrics: points.slice(from, from + batch).map(mlflowPoint),
      });
      expect(logged.status, JSON.stringify(logged.body)).toBe(200);
    }
  }
  return runIds;
}

const expectedHistory = (c: HistoryOrderCase, name: string) =>
  (c.order[name] ?? []).map((index) => mlflowPoint(c.runs[name]?.[index] as [number, number, Value]));

const history = (api: ApiClient, runId: string, page: Record<string, string> = {}) =>
  api.get(`/api/2.0/mlflow/metrics/get-history?${new URLSearchParams({ run_id: runId, metric_key: 'm', ...page })}`);

describe.each(cases.map((c) => [c.label, c] as const))('%s', (_, c) => {
  let runIds: Map<string, string>;
  beforeAll(async () => {
    runIds = await logCase(local.api, c);
  }, 120_000);

  test("get-history answers MLflow's order", async () => {
    for (const [name, runId] of runIds) {
      const answer = await history(local.api, runId);
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
      expect(answer.body.metrics).toEqual(expectedHistory(c, name));
      expect(answer.body.next_page_token).toBeUndefined();
    }
  });

  test.each(c.page_sizes)('pages of %i follow each other in that order, full but the last', async (size) => {
    for (const [name, runId] of runIds) {
      const expected = expectedHistory(c, name);
      const pages: unknown[][] = [];
      let token: string | undefined;
      do {
        const answer = await history(local.api, runId, {
          max_results: String(size),
          ...(token ? { page_token: token } : {}),
        });
        expect(answer.status, JSON.stringify(answer.body)).toBe(200);
        pages.push(answer.body.metrics);
        token = answer.body.next_page_token;
        expect(pages.length).toBeLessThanOrEqual(Math.ceil(expected.length / size));
      } while (token);
      expect(pages.map((page) => page.length)).toEqual(
        Array.from({ length: Math.ceil(expected.length / size) }, (_, index) =>
          Math.min(size, expected.length - index * size),
        ),
      );
      expect(pages.flat()).toEqual(expected);
    }
  });

  test.each(c.bulk_max_results)('get-history-bulk with max_results=%i: runs in id order, cut in all', async (max) => {
    const names = [...runIds.keys()].sort();
    const expected = names
      .flatMap((name) => expectedHistory(c, name).map((point) => ({ ...point, run_id: runIds.get(name) })))
      .slice(0, max);
    // Asked in the reverse order, and one run twice: the answer is in id order, each run once.
    const asked = [...names].reverse().map((name) => runIds.get(name) as string);
    const query = new URLSearchParams([
      ...[...asked, asked[0] as string].map((runId): [string, string] => ['run_id', runId]),
      ['metric_key', 'm'],
      ['max_results', String(max)],
    ]);
    const answer = await local.api.get(`/ajax-api/2.0/mlflow/metrics/get-history-bulk?${query}`);
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(answer.body.metrics).toEqual(expected);
  });
});

describe('a history logged as time goes: later pages read only what they answer, and a batch between pages is in', () => {
  const readUnits = (response: { headers: Headers }) =>
    Number(/read=([\d.]+)/.exec(response.headers.get('x-stratus-consumed-capacity') ?? '')?.[1] ?? Number.NaN);
  const point = (step: number, timestamp: number) => ({ key: 'm', value: step / 2, timestamp, step });
  const newRun = async (name: string) => {
    const experiment = await local.api.post('/api/2.0/mlflow/experiments/create', { name });
    const created = await local.api.post('/api/2.0/mlflow/runs/create', {
      experiment_id: experiment.body.experiment_id,
    });
    return created.body.run.info.run_id as string;
  };
  const logSteps = async (runId: string, steps: number[], timestampOf: (step: number) => number) => {
    const logged = await local.api.post('/api/2.0/mlflow/runs/log-batch', {
      run_id: runId,
      metrics: steps.map((step) => point(step, timestampOf(step))),
    });
    expect(logged.status, JSON.stringify(logged.body)).toBe(200);
  };
  const range = (from: number, count: number) => Array.from({ length: count }, (_, index) => from + index);

  test('30,000 points in 30 batches: the second page of 100 reads under a third of what the first read', async () => {
    const runId = await newRun('history order cost');
    for (let batch = 0; batch < 30; batch++) await logSteps(runId, range(batch * 1000, 1000), (step) => 5000 + step);
    const first = await history(local.api, runId, { max_results: '100' });
    expect(first.body.metrics.map((p: { step: number }) => p.step)).toEqual(range(0, 100));
    const second = await history(local.api, runId, { max_results: '100', page_token: first.body.next_page_token });
    expect(second.body.metrics.map((p: { step: number }) => p.step)).toEqual(range(100, 100));
    expect(readUnits(second) * 3).toBeLessThan(readUnits(first));
  });

  test("steps logged again later, between two pages: every point once, in MLflow's order", async () => {
    const runId = await newRun('history order landing');
    for (let batch = 0; batch < 3; batch++) await logSteps(runId, range(batch * 300, 300), (step) => 5000 + step);
    const pages: Array<Array<{ step: number; timestamp: number }>> = [];
    let answer = await history(local.api, runId, { max_results: '300' });
    pages.push(answer.body.metrics);
    // A resumed run logs steps 100..109 again, now: after every point in time, amid them in steps.
    await logSteps(runId, range(100, 10), (step) => 9000 + step);
    while (answer.body.next_page_token) {
      answer = await history(local.api, runId, { max_results: '300', page_token: answer.body.next_page_token });
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
      pages.push(answer.body.metrics);
    }
    expect(pages.flat().map((p) => [p.step, p.timestamp])).toEqual([
      ...range(0, 900).map((step) => [step, 5000 + step]),
      ...range(100, 10).map((step) => [step, 9000 + step]),
    ]);
  });
});

describe('get-history-bulk takes what MLflow takes and refuses what it refuses', () => {
  let runId: string;
  beforeAll(async () => {
    const experiment = await local.api.post('/api/2.0/mlflow/experiments/create', { name: 'history bulk edges' });
    const created = await local.api.post('/api/2.0/mlflow/runs/create', {
      experiment_id: experiment.body.experiment_id,
    });
    runId = created.body.run.info.run_id;
    const points = Array.from({ length: 30 }, (_, step) => ({ key: 'm', value: step, timestamp: 100 - step, step }));
    expect((await local.api.post('/api/2.0/mlflow/runs/log-batch', { run_id: runId, metrics: points })).status).toBe(
      200,
    );
  });
  const bulk = (query: string) => local.api.get(`/ajax-api/2.0/mlflow/metrics/get-history-bulk?${query}`);

  test('no max_results: every point, by time; 0: none; a run that does not exist: nothing of it', async () => {
    const all = await bulk(`run_id=${runId}&run_id=0123456789abcdef0123456789abcdef&metric_key=m`);
    expect(all.status).toBe(200);
    expect(all.body.metrics.map((point: { step: number }) => point.step)).toEqual(
      Array.from({ length: 30 }, (_, index) => 29 - index),
    );
    const none = await bulk(`run_id=${runId}&metric_key=m&max_results=0`);
    expect(none.body).toEqual({ metrics: [] });
  });

  test.each([
    ['no run_id', 'metric_key=m', /'run_id'/],
    ['no metric_key', `run_id=${'a'.repeat(32)}`, /'metric_key'/],
    [
      '101 run ids, repeats counted as MLflow counts them',
      `${'run_id=r&'.repeat(101)}metric_key=m`,
      /at most 100 runs/,
    ],
    ['a negative max_results', 'run_id=r&metric_key=m&max_results=-1', /'max_results'/],
    ['a max_results that is not a number', 'run_id=r&metric_key=m&max_results=x', /'max_results'/],
  ])('%s: 400 INVALID_PARAMETER_VALUE naming it', async (_, query, named) => {
    const answer = await bulk(query);
    expect(answer.status).toBe(400);
    expect(answer.body.error_code).toBe('INVALID_PARAMETER_VALUE');
    expect(answer.body.message).toMatch(named);
  });

  test('served under /ajax-api only, by GET, as on MLflow', async () => {
    const api = await local.api.get(`/api/2.0/mlflow/metrics/get-history-bulk?run_id=${runId}&metric_key=m`);
    expect(api.status).toBe(404);
    const posted = await local.api.post(
      `/ajax-api/2.0/mlflow/metrics/get-history-bulk?run_id=${runId}&metric_key=m`,
      {},
    );
    expect(posted.status).toBe(405);
  });

  test('get-history-bulk-interval counts repeated run ids as MLflow does: 101 is a 400', async () => {
    const answer = await local.api.get(
      `/api/2.0/mlflow/metrics/get-history-bulk-interval?${`run_ids=${runId}&`.repeat(101)}metric_key=m`,
    );
    expect(answer.status).toBe(400);
    expect(answer.body.message).toMatch(/'run_ids'.*at most 100 runs/);
  });
});
