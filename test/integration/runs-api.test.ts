import { describe, expect, test } from 'vitest';
import { runDetailsResponse, runListResponse, runResponse } from '../../shared/http/schemas/runs.ts';
import { useTestStack } from '../support/local-api.ts';

const local = useTestStack();

const startRun = async (body: Record<string, unknown> = {}) => {
  const response = await local.api.post('/api/v1/runs', { experiment_name: 'runs-suite', ...body });
  expect(response.status).toBe(201);
  return runDetailsResponse.parse(response.body);
};

describe('runs', () => {
  test('start_run by experiment name creates the experiment once, then reuses it', async () => {
    const first = await local.api.post('/api/v1/runs', { experiment_name: 'made-on-demand', run_name: 'a' });
    const second = await local.api.post('/api/v1/runs', { experiment_name: 'made-on-demand', run_name: 'b' });
    expect(first.body.experiment_id).toBe(second.body.experiment_id);
    const concurrent = await Promise.all(
      Array.from({ length: 6 }, () => local.api.post('/api/v1/runs', { experiment_name: 'made-concurrently' })),
    );
    expect(concurrent.every((r) => r.status === 201)).toBe(true);
    expect(new Set(concurrent.map((r) => r.body.experiment_id)).size).toBe(1);
  });

  test('a new run carries everything it was started with', async () => {
    const parent = await startRun({ run_name: 'parent' });
    const run = await startRun({
      run_name: 'baseline_v1',
      tags: { model_type: 'random_forest', dataset: 'v1.2' },
      parent_run_id: parent.run_id,
      git_commit: 'a1b2c3d',
      code_version: '1.4.0',
      pipeline: {
        pipeline_config: { steps: ['clean', 'fit'], seed: 7 },
        pipeline_components: [{ name: 'tokenizer', type: 'preprocessor', stage: 'prep', position: 0 }],
      },
    });
    expect(run).toMatchObject({ status: 'RUNNING', run_name: 'baseline_v1', parent_run_id: parent.run_id });
    expect(run.start_time).toBeGreaterThan(Date.now() - 60_000);
    const fetched = await local.api.get(`/api/v1/runs/${run.run_id}`);
    expect(runDetailsResponse.parse(fetched.body)).toEqual(run);
    expect(fetched.body.pipeline.pipeline_components[0]).toEqual({
      name: 'tokenizer',
      type: 'preprocessor',
      stage: 'prep',
      position: 0,
    });
  });

  test('a create retried with the same idempotency key answers the same run and starts no other', async () => {
    const experiment = 'runs-idempotent';
    const body = {
      experiment_name: experiment,
      run_name: 'keyed',
      params: { lr: '0.1' },
      metrics: [{ key: 'loss', value: 1, step: 0 }],
      idempotency_key: 'job-42-start',
    };
    const first = await local.api.post('/api/v1/runs', body);
    expect(first.status).toBe(201);
    // The answer was lost: the client sends it again, the key in the body or the header.
    const again = await local.api.post('/api/v1/runs', body);
    const { idempotency_key: key, ...withoutKey } = body;
    const byHeader = await local.api.call('POST', '/api/v1/runs', withoutKey, { 'idempotency-key': key });
    // Racing retries, as a client that timed out twice might send.
    const racing = await Promise.all(
      [1, 2, 3].map(() => local.api.post('/api/v1/runs', { ...body, idempotency_key: 'job-42-race' })),
    );
    for (const answer of [again, byHeader]) {
      expect(answer.status).toBe(201);
      expect(answer.body.run_id).toBe(first.body.run_id);
    }
    expect(new Set(racing.map((answer) => `${answer.status} ${answer.body.run_id}`)).size).toBe(1);
    expect(racing[0]?.status).toBe(201);
    const history = await local.api.get(`/api/v1/runs/${first.body.run_id}/metrics/loss`);
    expect(history.body.points).toHaveLength(1);
    const listed = await local.api.get(`/api/v1/experiments/${first.body.experiment_id}/runs`);
    expect(listed.body.runs.map((run: { run_id: string }) => run.run_id).sort()).toEqual(
      [first.body.run_id, racing[0]?.body.run_id].sort(),
    );
    // Another key, or none, starts another run; so does the same key in another experiment.
    const other = await local.api.post('/api/v1/runs', { ...body, idempotency_key: 'job-43-start' });
    const none = await local.api.post('/api/v1/runs', withoutKey);
    const elsewhere = await local.api.post('/api/v1/runs', { ...body, experiment_name: `${experiment}-2` });
    const ids = [first, other, none, elsewhere].map((answer) => answer.body.run_id);
    expect(new Set(ids).size).toBe(4);
    // The experiment's own runs route alike.
    const path = `/api/v1/experiments/${first.body.experiment_id}/runs`;
    const created = await local.api.post(path, { run_name: 'keyed', idempotency_key: 'job-44-start' });
    const recreated = await local.api.post(path, { run_name: 'keyed', idempotency_key: 'job-44-start' });
    expect([created.status, recreated.status]).toEqual([201, 201]);
    expect(recreated.body.run_id).toBe(created.body.run_id);
  });

  test('starting a run needs a real experiment and parent', async () => {
    expect((await local.api.post(`/api/v1/experiments/${'0'.repeat(32)}/runs`, {})).status).toBe(404);
    const orphan = await local.api.post('/api/v1/runs', {
      experiment_name: 'runs-suite',
      parent_run_id: 'f'.repeat(32),
    });
    expect(orphan.status).toBe(404);
    const neither = await local.api.post('/api/v1/runs', { run_name: 'x' });
    expect(neither.status).toBe(400);
    expect(neither.body.error.message).toMatch(/^body\.experiment_name:/);
    const deep: Record<string, unknown> = {};
    let cursor = deep;
    for (let i = 0; i < 40; i++) cursor = cursor.next = {} as Record<string, unknown>;
    const tooDeep = await local.api.post('/api/v1/runs', {
      experiment_name: 'runs-suite',
      pipeline: { pipeline_config: deep },
    });
    expect(tooDeep.status).toBe(400);
    expect(tooDeep.body.error.message).toContain('pipeline.pipeline_config');
  });

  test('ending a run: COMPLETED means FINISHED, a retry is harmless, a different end is a 409', async () => {
    const run = await startRun();
    const ended = await local.api.patch(`/api/v1/runs/${run.run_id}`, { status: 'COMPLETED' });
    expect(ended.status).toBe(200);
    expect(ended.body).toMatchObject({ status: 'FINISHED' });
    expect(ended.body.duration_ms).toBe(ended.body.end_time - ended.body.start_time);
    expect((await local.api.patch(`/api/v1/runs/${run.run_id}`, { status: 'FINISHED' })).status).toBe(200);
    const conflict = await local.api.patch(`/api/v1/runs/${run.run_id}`, { status: 'FAILED' });
    expect(conflict.status).toBe(409);
    expect(conflict.body.error.code).toBe('run.already_ended');
    expect((await local.api.patch(`/api/v1/runs/${'0'.repeat(32)}`, { status: 'FAILED' })).status).toBe(404);
    const early = await startRun();
    const before = await local.api.patch(`/api/v1/runs/${early.run_id}`, {
      status: 'KILLED',
      end_time: early.start_time - 1,
    });
    expect(before.status).toBe(400);
    expect(before.body.error.message).toContain('end_time');
  });

  test('a finished run rejects params and metrics with 409 but keeps taking tags', async () => {
    const run = await startRun();
    await local.api.patch(`/api/v1/runs/${run.run_id}`, { status: 'FINISHED' });
    const params = await local.api.post(`/api/v1/runs/${run.run_id}/params`, { params: { lr: 0.1 } });
    expect(params.status).toBe(409);
    expect(params.body.error.code).toBe('run.not_running');
    const metrics = await local.api.post(`/api/v1/runs/${run.run_id}/metrics`, {
      metric_name: 'acc',
      metric_value: 1,
    });
    expect(metrics.status).toBe(409);
    const tags = await local.api.post(`/api/v1/runs/${run.run_id}/tags`, { tags: { reviewed: 'yes' } });
    expect(tags.status).toBe(200);
    expect(runResponse.parse(tags.body).tags).toEqual({ reviewed: 'yes' });
    const after = await local.api.get(`/api/v1/runs/${run.run_id}`);
    expect(after.body.params).toEqual({});
    expect(after.body.metrics).toEqual({});
  });

  test('params are immutable: the same value again is fine, a different one is a 409 naming the key', async () => {
    const run = await startRun();
    const first = await local.api.post(`/api/v1/runs/${run.run_id}/params`, {
      params: { n_estimators: 100, max_depth: 10 },
    });
    expect(first).toMatchObject({ status: 200, body: { params: { n_estimators: '100', max_depth: '10' } } });
    expect(
      (await local.api.post(`/api/v1/runs/${run.run_id}/params`, { params: { n_estimators: '100' } })).status,
    ).toBe(200);
    const changed = await local.api.post(`/api/v1/runs/${run.run_id}/params`, {
      params: { subsample: 0.8, max_depth: 12 },
    });
    expect(changed.status).toBe(409);
    expect(changed.body.error).toMatchObject({ code: 'param.immutable' });
    expect(changed.body.error.message).toContain("'max_depth'");
    const stored = await local.api.get(`/api/v1/runs/${run.run_id}`);
    // All or nothing: subsample was not written alongside the rejected max_depth.
    expect(stored.body.params).toEqual({ n_estimators: '100', max_depth: '10' });
  });

  test('a param sent as an integer past 2^53 − 1 is a 400 naming it, rather than stored rounded', async () => {
    const run = await startRun();
    const path = `/api/v1/runs/${run.run_id}/params`;
    const rounded = await local.api.call('POST', path, '{"params": {"seed": 12345678901234567890}}');
    expect(rounded.status).toBe(400);
    expect(rounded.body.error.message).toMatch(/^body\.params\.seed: is an integer past 2\^53 − 1/);
    const exact = await local.api.call(
      'POST',
      path,
      '{"params": {"seed": "12345678901234567890", "lr": 0.001, "n": 9007199254740991}}',
    );
    expect(exact.status).toBe(200);
    expect(exact.body.params).toMatchObject({ seed: '12345678901234567890', lr: '0.001', n: '9007199254740991' });
  });

  test('two clients setting one param to different values at once: exactly one wins', async () => {
    const run = await startRun();
    const writes = await Promise.all(
      Array.from({ length: 6 }, (_, i) => local.api.post(`/api/v1/runs/${run.run_id}/params`, { params: { seed: i } })),
    );
    const winners = writes.filter((r) => r.status === 200);
    expect(winners).toHaveLength(1);
    expect(writes.filter((r) => r.status === 409)).toHaveLength(5);
    const stored = await local.api.get(`/api/v1/runs/${run.run_id}`);
    expect(stored.body.params.seed).toBe(winners[0]?.body.params.seed);
  });

  test('tags are validated and merged', async () => {
    const run = await startRun({ tags: { a: '1' } });
    await local.api.post(`/api/v1/runs/${run.run_id}/tags`, { tags: { b: '2', a: 'one' } });
    expect((await local.api.get(`/api/v1/runs/${run.run_id}`)).body.tags).toEqual({ a: 'one', b: '2' });
    expect((await local.api.post(`/api/v1/runs/${run.run_id}/tags`, { tags: {} })).status).toBe(400);
    expect((await local.api.post(`/api/v1/runs/${run.run_id}/tags`, { tags: { a: 5 } })).status).toBe(400);
    expect((await local.api.post(`/api/v1/runs/${'0'.repeat(32)}/tags`, { tags: { a: 'b' } })).status).toBe(404);
  });

  test("lists an experiment's runs newest first, by status, in stable pages", async () => {
    const experiment = await local.api.post('/api/v1/experiments', { experiment_name: 'listing-runs' });
    const experimentId = experiment.body.experiment_id;
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const run = await local.api.post(`/api/v1/experiments/${experimentId}/runs`, { run_name: `r${i}` });
      ids.push(run.body.run_id);
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    await local.api.patch(`/api/v1/runs/${ids[1]}`, { status: 'FAILED' });
    const seen: string[] = [];
    let token: string | undefined;
    do {
      const page = await local.api.get(
        `/api/v1/experiments/${experimentId}/runs?max_results=2${token ? `&page_token=${encodeURIComponent(token)}` : ''}`,
      );
      const body = runListResponse.parse(page.body);
      seen.push(...body.runs.map((r) => r.run_id));
      token = body.next_page_token;
    } while (token);
    expect(seen).toEqual([...ids].reverse());
    const failed = await local.api.get(`/api/v1/experiments/${experimentId}/runs?status=FAILED`);
    expect(failed.body.runs.map((r: { run_id: string }) => r.run_id)).toEqual([ids[1]]);
    expect((await local.api.get(`/api/v1/experiments/${experimentId}/runs?status=DONE`)).status).toBe(400);
  });
});

describe('the edge', () => {
  test('a refused key far past the limit is named by its start and length, not echoed whole', async () => {
    const run = await startRun();
    const key = 'k'.repeat(1_000_000);
    const refused = await local.api.post(`/api/v1/runs/${run.run_id}/tags`, { tags: { [key]: 'v' } });
    expect(refused.status).toBe(400);
    expect(refused.body.error.message).toBe(
      `body.tags.${'k'.repeat(64)}…(1000000 characters): must be at most 250 characters`,
    );
    // One just past the limit is still named whole.
    const near = await local.api.post(`/api/v1/runs/${run.run_id}/tags`, { tags: { ['n'.repeat(251)]: 'v' } });
    expect(near.body.error.message).toBe(`body.tags.${'n'.repeat(251)}: must be at most 250 characters`);
  });

  test('malformed JSON, invalid UTF-8, a missing body and an oversized body get 4xx JSON errors', async () => {
    const run = await startRun();
    const path = `/api/v1/runs/${run.run_id}/params`;
    const malformed = await local.api.call('POST', path, '{"params": {');
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.code).toBe('body.invalid_json');
    const invalidUtf8 = await fetch(`${local.stack.url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${local.stack.token}`, 'content-type': 'application/json' },
      body: Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]),
    });
    expect(invalidUtf8.status).toBe(400);
    expect(((await invalidUtf8.json()) as { error: { code: string } }).error.code).toBe('body.invalid_utf8');
    expect((await local.api.call('POST', path)).status).toBe(400);
    // The bound is the body as the function's event holds it: 4.5 MB of plain text is past it (in base64),
    // and so are 3.1 MB of quotes (each `\"` in the body is `\\\"` in the event); a 3 MB value is only too long.
    for (const blob of ['x'.repeat(4_600_000), '"'.repeat(1_550_000)]) {
      const huge = await local.api.post(path, { params: { blob } });
      expect(huge.status).toBe(413);
      expect(huge.body.error.code).toBe('request.too_large');
    }
    const long = await local.api.post(path, { params: { blob: 'x'.repeat(3_000_000) } });
    expect(long.status).toBe(400);
    expect(long.body.error.message).toMatch(/^body\.params\.blob: must be at most 6000/);
    const notFound = await local.api.get('/api/v1/nothing-here');
    expect(notFound.status).toBe(404);
  });

  test('the OpenAPI description covers every route', async () => {
    const response = await local.api.get('/api/v1/openapi.json');
    expect(response.status).toBe(200);
    expect(response.body.openapi).toBe('3.1.0');
    const items = Object.entries(response.body.paths as Record<string, Record<string, any>>);
    const operations = items
      .filter(([, item]) => item.$ref === undefined)
      .flatMap(([, methods]) => Object.values(methods))
      .map((operation) => operation.operationId);
    const { routeList } = await import('../../shared/http/route-table.ts');
    const { routePaths } = await import('../../shared/http/route-definition.ts');
    const { openApiPath } = await import('../../shared/http/openapi.ts');
    expect(operations.sort()).toEqual(routeList.map((r) => r.operationId).sort());
    // An alias (MLflow's /ajax-api) is a path item that refers to its route's own.
    const aliases = Object.fromEntries(items.filter(([, item]) => item.$ref !== undefined));
    const expected = routeList.flatMap((route) => {
      const [own, ...others] = routePaths(route).map(openApiPath);
      return others.map((alias) => [alias, { $ref: `#/paths/${own!.replaceAll('/', '~1')}` }] as const);
    });
    expect(expected.length).toBeGreaterThan(50);
    expect(aliases).toEqual(Object.fromEntries(expected));
    expect(response.body.paths['/api/v1/runs/{run_id}/metrics/{metric_key}']).toBeDefined();
    // Every operation takes a bearer token and says how it refuses one.
    expect(response.body.security).toEqual([{ bearerToken: [] }]);
    expect(response.body.components.securitySchemes.bearerToken).toMatchObject({ type: 'http', scheme: 'bearer' });
    for (const [, methods] of items.filter(([, item]) => item.$ref === undefined)) {
      for (const operation of Object.values(methods)) {
        expect(Object.keys(operation.responses), operation.operationId).toEqual(
          expect.arrayContaining(['400', '401', '403', '503']),
        );
      }
    }
    const download = response.body.paths['/api/v1/runs/{run_id}/artifacts/download'].get;
    expect(download.responses['302'].headers.Location).toBeDefined();
  });
});
