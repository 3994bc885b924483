import { QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, test } from 'vitest';
import { logBatchResponse } from '../../shared/http/schemas/batch.ts';
import { runDetailsResponse } from '../../shared/http/schemas/runs.ts';
import { consumedCapacity } from '../../bench/stats.ts';
import { paramRowsPartition } from '../../shared/storage/keys.ts';
import { tableDocumentClient, useTestStack } from '../support/local-api.ts';
import { moveToPerRunRow } from '../support/param-layout.ts';
import { paramBucketEntries } from '../../shared/storage/run-items.ts';

const local = useTestStack();

describe('a run with its first data in one request', () => {
  test('POST /runs and POST /experiments/{id}/runs take params, tags and metrics', async () => {
    const started = await local.api.post('/api/v1/runs', {
      experiment_name: 'batch-suite',
      run_name: 'sweep-1',
      tags: { team: 'risk' },
      params: { lr: 0.01, layers: 3, optimizer: 'adam' },
      metrics: [
        { key: 'loss', value: 0.9, step: 0 },
        { key: 'loss', value: 0.7, step: 1 },
        { key: 'acc', value: 'NaN', step: 1 },
      ],
    });
    expect(started.status).toBe(201);
    const run = runDetailsResponse.parse(started.body);
    expect(run.params).toEqual({ lr: '0.01', layers: '3', optimizer: 'adam' });
    // Written with the run: its lowest step is known from the first request (a curve, and a lone value).
    expect(run.metrics.loss).toMatchObject({ value: 0.7, step: 1, min_step: 0 });
    expect(run.metrics.acc).toMatchObject({ value: 'NaN', step: 1, min_step: 1 });
    expect((await local.api.get(`/api/v1/runs/${run.run_id}`)).body).toMatchObject({
      params: run.params,
      tags: { team: 'risk' },
      metrics: { loss: { value: 0.7, step: 1 } },
    });
    const history = await local.api.get(`/api/v1/runs/${run.run_id}/metrics/loss`);
    expect(history.body.points.map((p: { value: number }) => p.value)).toEqual([0.9, 0.7]);
    const search = await local.api.post('/api/v1/runs/search', {
      experiment_names: ['batch-suite'],
      filter: "params.optimizer = 'adam' AND tags.team = 'risk' AND metrics.loss < 0.8",
    });
    expect(search.body.runs.map((r: { run_id: string }) => r.run_id)).toEqual([run.run_id]);
    expect(search.body.runs[0].metrics.loss).toEqual({
      value: 0.7,
      step: 1,
      min_step: 0,
      timestamp: expect.any(Number),
    });

    const inExperiment = await local.api.post(`/api/v1/experiments/${run.experiment_id}/runs`, {
      params: { lr: 0.02 },
      metrics: Array.from({ length: 1000 }, (_, i) => ({ key: `m${i % 10}`, value: i, step: Math.floor(i / 10) })),
    });
    expect(inExperiment.status).toBe(201);
    expect(Object.keys(inExperiment.body.metrics)).toHaveLength(10);
    const full = await local.api.get(`/api/v1/runs/${inExperiment.body.run_id}/metrics/m3?max_results=1000`);
    expect(full.body.points).toHaveLength(100);
  });

  test('a run with 20 params and 10 metrics costs one request', async () => {
    const response = await local.api.post('/api/v1/runs', {
      experiment_name: 'batch-suite',
      params: Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`p${i}`, `value-${i}`])),
      metrics: Array.from({ length: 10 }, (_, i) => ({ key: `m${i}`, value: i / 10, step: 0 })),
    });
    expect(response.status).toBe(201);
    // 10 metric index entries, one param row for the 20 params, the values item (2 units), the run item and its
    // two index entries, the experiment's run count (issue 13: at most 25).
    expect(consumedCapacity(response as unknown as Response).write).toBeLessThanOrEqual(20);
  });

  test('param equality finds params however they came: at creation, later, long, past what a param row holds', async () => {
    const experiment = 'param-rows-suite';
    const create = async (params?: Record<string, string>) =>
      (await local.api.post('/api/v1/runs', { experiment_name: experiment, ...(params ? { params } : {}) })).body
        .run_id as string;
    const long = 'L'.repeat(2000);
    const a = await create({ a: '1' });
    const b = await create();
    const hundred = (from: number) => Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`p${from + i}`, 'v']));
    const many = await create(hundred(0));
    for (const from of [100, 200]) {
      expect((await local.api.post(`/api/v1/runs/${many}/batch`, { params: hundred(from) })).status).toBe(200);
    }
    expect((await local.api.post(`/api/v1/runs/${a}/batch`, { params: { b: '2' } })).status).toBe(200);
    expect((await local.api.post(`/api/v1/runs/${b}/batch`, { params: { b: '2', c: long } })).status).toBe(200);
    expect((await local.api.post(`/api/v1/runs/${many}/batch`, { params: { b: '3' } })).status).toBe(200);
    const found = async (filter: string) => {
      const response = await local.api.post('/api/v1/runs/search', { experiment_names: [experiment], filter });
      expect(response.status).toBe(200);
      return response.body.runs.map((run: { run_id: string }) => run.run_id).sort();
    };
    expect(await found("params.b = '2'")).toEqual([a, b].sort());
    expect(await found("params.b IN ('2', '3')")).toEqual([a, b, many].sort());
    expect(await found("params.a = '1' AND params.b = '2'")).toEqual([a]);
    expect(await found(`params.c = '${long}'`)).toEqual([b]);
    expect(await found(`params.c = '${long.slice(1)}'`)).toEqual([]);
    expect(await found("params.p299 = 'v'")).toEqual([many]);
    expect(await found("params.p299 = 'w'")).toEqual([]);
  });

  test('invalid first data is a 400 naming the field, and nothing is created', async () => {
    const before = await local.api.get('/api/v1/experiments');
    const bad = await local.api.post('/api/v1/runs', {
      experiment_name: 'batch-suite-bad',
      metrics: [{ key: 'loss', value: 'fast' }],
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/^body\.metrics\[0\]\.value/);
    const after = await local.api.get('/api/v1/experiments');
    expect(after.body.experiments.length).toBe(before.body.experiments.length);
  });
});

describe('log-batch', () => {
  const newRun = async () =>
    (await local.api.post('/api/v1/runs', { experiment_name: 'batch-suite', params: { lr: 1 } })).body.run_id as string;

  test('params, tags and metrics land together', async () => {
    const runId = await newRun();
    const response = await local.api.post(`/api/v1/runs/${runId}/batch`, {
      params: { depth: 4 },
      tags: { stage: 'tune' },
      metrics: [
        { key: 'loss', value: 0.5, step: 3 },
        { key: 'loss', value: 0.4, step: 4 },
      ],
      idempotency_key: 'batch-1',
    });
    expect(response.status).toBe(200);
    expect(logBatchResponse.parse(response.body)).toEqual({ run_id: runId, params: 1, tags: 1, accepted: 2, keys: 1 });
    // A retry with the same key adds no points.
    await local.api.post(`/api/v1/runs/${runId}/batch`, {
      metrics: [
        { key: 'loss', value: 0.5, step: 3 },
        { key: 'loss', value: 0.4, step: 4 },
      ],
      idempotency_key: 'batch-1',
    });
    const run = (await local.api.get(`/api/v1/runs/${runId}`)).body;
    expect(run).toMatchObject({ params: { lr: '1', depth: '4' }, tags: { stage: 'tune' } });
    expect((await local.api.get(`/api/v1/runs/${runId}/metrics/loss`)).body.points).toHaveLength(2);
  });

  test('hundreds of new metric keys beside keys the run has, or beside 100 params, are one write that fits', async () => {
    // Each new key used to add a condition to the write of the item it lands on: past ~100 keys on an item that
    // exists already, DynamoDB refused the expression (over 4 KB) and the request was a 500.
    const points = (from: number, to: number) =>
      Array.from({ length: to - from }, (_, i) => ({ key: `m${from + i}`, value: from + i, step: 0 }));
    const growing = await newRun();
    for (const [from, to] of [
      [0, 150],
      [150, 1000],
    ] as const) {
      expect((await local.api.post(`/api/v1/runs/${growing}/batch`, { metrics: points(from, to) })).status).toBe(200);
    }
    const run = (await local.api.get(`/api/v1/runs/${growing}`)).body;
    expect(Object.keys(run.metrics)).toHaveLength(1000);
    expect(run.metrics.m999).toMatchObject({ value: 999 });
    const params = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`p${i}`, i]));
    const mixed = await newRun();
    const both = await local.api.post(`/api/v1/runs/${mixed}/batch`, { params, metrics: points(0, 400) });
    expect(both.status).toBe(200);
    const stored = (await local.api.get(`/api/v1/runs/${mixed}`)).body;
    // The run was created with one param (lr).
    expect([Object.keys(stored.params).length, Object.keys(stored.metrics).length]).toEqual([101, 400]);
  });

  test('one refused part refuses the whole request', async () => {
    const runId = await newRun();
    const conflict = await local.api.post(`/api/v1/runs/${runId}/batch`, {
      params: { lr: 2 },
      tags: { stage: 'never' },
      metrics: [{ key: 'never', value: 1, step: 0 }],
    });
    expect(conflict.status).toBe(409);
    expect(conflict.body.error.message).toMatch(/param 'lr'/);
    const run = (await local.api.get(`/api/v1/runs/${runId}`)).body;
    expect(run.tags.stage).toBeUndefined();
    expect(run.metrics.never).toBeUndefined();
    expect((await local.api.get(`/api/v1/runs/${runId}/metrics/never`)).body.points).toEqual([]);
    const empty = await local.api.post(`/api/v1/runs/${runId}/batch`, {});
    expect(empty.status).toBe(400);
    expect(empty.body.error.message).toMatch(/^body\.params/);
    await local.api.patch(`/api/v1/runs/${runId}`, { status: 'FINISHED' });
    const ended = await local.api.post(`/api/v1/runs/${runId}/batch`, { metrics: [{ key: 'x', value: 1 }] });
    expect(ended.status).toBe(409);
    expect((await local.api.post(`/api/v1/runs/${runId}/batch`, { tags: { after: 'end' } })).status).toBe(200);
  });

  test("a run's first params land where a run created with params has them; later ones beside them", async () => {
    const created = await local.api.post('/api/v1/runs', { experiment_name: 'batch-first-params' });
    const runId: string = created.body.run_id;
    // A run from before bucket rows (a row of its own): bucket rows name attributes by slot anyway.
    await moveToPerRunRow(
      tableDocumentClient(local.stack),
      local.stack.tableName,
      'default',
      created.body.experiment_id,
      runId,
    );
    const rowOf = async () => {
      const rows = await tableDocumentClient(local.stack).send(
        new QueryCommand({
          TableName: local.stack.tableName,
          KeyConditionExpression: 'pk = :pk AND sk = :sk',
          ExpressionAttributeValues: { ':pk': paramRowsPartition('default', created.body.experiment_id), ':sk': runId },
        }),
      );
      return rows.Items?.[0] ?? {};
    };
    await local.api.post(`/api/v1/runs/${runId}/batch`, { params: { lr: 0.1, depth: 3 } });
    // Attribute names shared by every row: DynamoDB Local reads rows with names of their own several times slower.
    expect(Object.keys(await rowOf()).filter((name) => name.startsWith('b'))).toEqual(['b']);
    await local.api.post(`/api/v1/runs/${runId}/batch`, { params: { seed: 7 } });
    const names = Object.keys(await rowOf()).filter((name) => name.startsWith('b'));
    expect(names).toHaveLength(2);
    expect(names).toContain('b');
    for (const filter of ["params.lr = '0.1'", "params.seed = '7'", "params.depth = '3' AND params.seed = '7'"]) {
      const search = await local.api.post('/api/v1/runs/search', {
        experiment_ids: [created.body.experiment_id],
        filter,
      });
      expect(search.body.runs.map((run: { run_id: string }) => run.run_id)).toEqual([runId]);
    }
  });

  test('a purged run leaves no item behind: index entries, overflow pages, rollups and history included', async () => {
    const created = await local.api.post('/api/v1/runs', {
      experiment_name: 'batch-purge',
      run_name: 'doomed',
      tags: Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`tag-${i}`, 'x'.repeat(5000)])),
      params: Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`p${i}`, `v${i}`])),
      metrics: Array.from({ length: 1000 }, (_, i) => ({ key: `m${i % 2}`, value: i, step: 3 * i })),
    });
    expect(created.status).toBe(201);
    const runId: string = created.body.run_id;
    const kept = await local.api.post('/api/v1/runs', {
      experiment_id: created.body.experiment_id,
      params: { p0: 'v0' },
      tags: { 'tag-0': 'x'.repeat(3000) },
      metrics: [{ key: 'm0', value: 1 }],
    });
    const documents = tableDocumentClient(local.stack);
    const naming = async (id: string) => {
      const items: Record<string, unknown>[] = [];
      let start: Record<string, unknown> | undefined;
      do {
        const page = await documents.send(
          new ScanCommand({ TableName: local.stack.tableName, ExclusiveStartKey: start }),
        );
        items.push(...(page.Items ?? []));
        start = page.LastEvaluatedKey;
      } while (start);
      return items.filter((item) => `${item.pk as string}\u0000${item.sk as string}`.includes(id));
    };
    // The run partition, its pages, each key's chunks and rollups, its tag and metric index entries, its param row.
    expect((await naming(runId)).length).toBeGreaterThan(100 + 1 + 2);
    const onBucketRows = async () =>
      (await naming(created.body.experiment_id))
        .filter((item) => item.type === 'ParamRow')
        .flatMap((row) => paramBucketEntries(row))
        .filter((entry) => entry.runId === runId);
    expect(await onBucketRows()).toHaveLength(1);
    expect((await local.api.delete(`/api/v1/runs/${runId}`)).status).toBe(200);
    expect((await local.api.post(`/api/v1/runs/${runId}/purge`)).status).toBe(200);
    expect(await naming(runId)).toEqual([]);
    expect(await onBucketRows()).toEqual([]);
    expect((await local.api.get(`/api/v1/runs/${runId}`)).status).toBe(404);
    const search = await local.api.post('/api/v1/runs/search', {
      experiment_ids: [created.body.experiment_id],
      filter: "params.p0 = 'v0' AND metrics.m0 >= 0",
    });
    expect(search.body.runs.map((run: { run_id: string }) => run.run_id)).toEqual([kept.body.run_id]);
  });
});
