import { describe, expect, test } from 'vitest';
import { bodyEventBytes } from '../../shared/domain/answer-size.ts';
import { limits } from '../../shared/limits.ts';
import { useTestStack } from '../support/local-api.ts';

/**
 * Every documented per-run limit (README "Limits") at its maximum, each alone
 * on a fresh run and all together on one run, written in the largest requests
 * the request limits allow, with the widest characters the length limits allow
 * (lengths count UTF-16 units: '€' is one unit and three UTF-8 bytes). Each run
 * must then read back exactly, be found by search, and refuse one more of
 * anything whole: a request past a limit changes nothing.
 */
const local = useTestStack();

const wide = (length: number, seed: string) => (seed + '€'.repeat(length)).slice(0, length);
const bodyBytes = (body: unknown) => bodyEventBytes(Buffer.from(JSON.stringify(body), 'utf8'));

/** Splits entries into requests within the per-request count and the body limit (as the function's event holds it). */
function requests<T>(entries: T[], perRequest: number, wrap: (part: T[]) => unknown): unknown[] {
  const bodies: unknown[] = [];
  let part: T[] = [];
  for (const entry of entries) {
    const next = [...part, entry];
    if (part.length > 0 && (next.length > perRequest || bodyBytes(wrap(next)) > limits.requestBodyEventBytes - 1024)) {
      bodies.push(wrap(part));
      part = [entry];
    } else part = next;
  }
  if (part.length) bodies.push(wrap(part));
  return bodies;
}

interface Dimension {
  name: string;
  /** Fills the run up to the limit. */
  fill(runId: string): Promise<void>;
  /** Checks the run, read whole (getRun), holds exactly what was written. */
  check(run: WholeRun): Promise<void>;
  /** Sends one more: refused whole (409). */
  overflow(runId: string): Promise<void>;
  /** Checks the run, read whole after the overflow, holds nothing of it. */
  refused(run: WholeRun): Promise<void>;
}

const post = async (path: string, body: unknown, status = 200) => {
  const response = await local.api.post(path, body);
  expect(response.status, `${path}: ${JSON.stringify(response.body).slice(0, 300)}`).toBe(status);
  return response;
};

/** The run, whole: its answer carries the first page of its params and of its tags, the rest come in pages. */
const getRun = async (runId: string) => {
  const response = await local.api.get(`/api/v1/runs/${runId}`);
  expect(response.status).toBe(200);
  // Lambda answers at most 6 MB: the answer's JSON, as a string inside the result's JSON.
  expect(Buffer.byteLength(JSON.stringify(JSON.stringify(response.body)))).toBeLessThan(6 * 1024 * 1024);
  const run = response.body;
  for (const list of ['params', 'tags'] as const) {
    if (!run[`${list}_truncated`]) continue;
    for (let token = '', first = true; first || token; first = false) {
      const page = await local.api.get(`/api/v1/runs/${runId}/${list}${token ? `?page_token=${token}` : ''}`);
      expect(page.status).toBe(200);
      Object.assign(run[list], page.body[list]);
      token = page.body.next_page_token;
    }
  }
  return run;
};
type WholeRun = Awaited<ReturnType<typeof getRun>>;

const tagEntries = (prefix: string) =>
  Array.from({ length: limits.tagsPerEntity }, (_, i) => [
    wide(limits.keyLength, `${prefix}${i}-`),
    wide(limits.tagValueLength, `v${i}-`),
  ]) as Array<[string, string]>;

const paramEntries = (prefix: string, count: number) =>
  Array.from({ length: count }, (_, i) => [
    wide(limits.keyLength, `${prefix}${i}-`),
    wide(limits.paramValueLength, `p${i}-`),
  ]) as Array<[string, string]>;

const metricKeys = (prefix: string, count: number) =>
  Array.from({ length: count }, (_, i) => wide(limits.keyLength, `${prefix}${i}-`));

/** The limits, each as a way to reach it on a run that already holds `existingKeys` metric keys. */
const dimensions = (prefix: string, existingKeys = 0): Dimension[] => {
  const tags = tagEntries(prefix);
  const params = paramEntries(prefix, 250);
  const keys = metricKeys(prefix, limits.metricKeysPerRun - existingKeys);
  return [
    {
      name: `${limits.tagsPerEntity} tags of ${limits.tagValueLength} characters`,
      async fill(runId) {
        for (const body of requests(tags, limits.tagsPerRequest, (part) => ({ tags: Object.fromEntries(part) }))) {
          await post(`/api/v1/runs/${runId}/tags`, body);
        }
      },
      async check(run) {
        for (const [key, value] of tags) expect(run.tags[key]).toBe(value);
        const found = await post('/api/v1/runs/search', {
          experiment_ids: [run.experiment_id],
          filter: `tags.\`${tags[150]?.[0]}\` = '${tags[150]?.[1]}'`,
        });
        expect(found.body.runs.map((r: { run_id: string }) => r.run_id)).toContain(run.run_id);
      },
      async overflow(runId) {
        const [firstKey] = tags[0] as [string, string];
        // A change to an existing tag and one tag too many: refused whole.
        await post(`/api/v1/runs/${runId}/tags`, { tags: { [firstKey]: 'changed', [`${prefix}-one-more`]: 'x' } }, 409);
      },
      async refused(run) {
        const [firstKey] = tags[0] as [string, string];
        expect(run.tags[firstKey]).toBe(tags[0]?.[1]);
        expect(Object.keys(run.tags)).toHaveLength(limits.tagsPerEntity);
      },
    },
    {
      name: `params of ${limits.paramValueLength} characters, ${params.length} of them`,
      async fill(runId) {
        for (const body of requests(params, limits.paramsPerRequest, (part) => ({
          params: Object.fromEntries(part),
        }))) {
          await post(`/api/v1/runs/${runId}/params`, body);
        }
      },
      async check(run) {
        for (const [key, value] of params) expect(run.params[key]).toBe(value);
        const found = await post('/api/v1/runs/search', {
          experiment_ids: [run.experiment_id],
          filter: `params.\`${params[200]?.[0]}\` = '${params[200]?.[1]}'`,
        });
        expect(found.body.runs.map((r: { run_id: string }) => r.run_id)).toContain(run.run_id);
      },
      async overflow(runId) {
        const [key] = params[7] as [string, string];
        // A new param beside a different value for a logged one: refused whole.
        await post(`/api/v1/runs/${runId}/params`, { params: { [`${prefix}-fresh`]: 'x', [key]: 'other' } }, 409);
      },
      async refused(run) {
        const [key] = params[7] as [string, string];
        expect(run.params[`${prefix}-fresh`]).toBeUndefined();
        expect(run.params[key]).toBe(params[7]?.[1]);
      },
    },
    {
      name: `${limits.metricKeysPerRun} metric keys of ${limits.keyLength} characters, 100 new keys a request`,
      async fill(runId) {
        for (let start = 0; start < keys.length; start += 100) {
          const metrics = keys.slice(start, start + 100).map((key, i) => ({ key, value: start + i, step: 1 }));
          await post(`/api/v1/runs/${runId}/metrics`, { metrics });
        }
      },
      async check(run) {
        expect(Object.keys(run.metrics)).toHaveLength(limits.metricKeysPerRun);
        keys.forEach((key, i) => expect(run.metrics[key]).toMatchObject({ value: i, step: 1 }));
        const last = keys.length - 1;
        const history = await local.api.get(
          `/api/v1/runs/${run.run_id}/metrics/${encodeURIComponent(keys[last] as string)}`,
        );
        expect(history.body.points).toEqual([expect.objectContaining({ step: 1, value: last })]);
      },
      async overflow(runId) {
        const key = keys[3] as string;
        // Points for a key the run has, beside one key too many: refused whole.
        await post(
          `/api/v1/runs/${runId}/metrics`,
          {
            metrics: [
              { key, value: -1, step: 2 },
              { key: `${prefix}-key-1001`, value: 1, step: 2 },
            ],
          },
          409,
        );
      },
      async refused(run) {
        const key = keys[3] as string;
        expect(run.metrics[key]).toMatchObject({ value: 3, step: 1 });
        expect(run.metrics[`${prefix}-key-1001`]).toBeUndefined();
        const history = await local.api.get(`/api/v1/runs/${run.run_id}/metrics/${encodeURIComponent(key)}`);
        expect(history.body.points).toHaveLength(1);
      },
    },
  ];
};

/** A run started with every creation-time maximum: name, code version, pipeline, 100 params, 1,000 points over 10 keys. */
async function startWidestRun(prefix: string) {
  const component = (i: number) => ({
    name: wide(limits.nameLength, `c${i}-`),
    type: wide(limits.nameLength, `t${i}-`),
    stage: wide(limits.nameLength, `s${i}-`),
    position: i,
  });
  const response = await post(
    '/api/v1/runs',
    {
      experiment_name: 'limits',
      run_name: wide(limits.nameLength, `${prefix}-run-`),
      git_commit: 'f'.repeat(limits.gitCommitLength),
      code_version: wide(limits.codeVersionLength, 'v-'),
      pipeline: {
        pipeline_config: { notes: 'x'.repeat(16 * 1024 - 20) },
        pipeline_components: Array.from({ length: limits.pipelineComponents }, (_, i) => component(i)),
      },
      params: Object.fromEntries(
        Array.from({ length: limits.paramsPerRequest }, (_, i) => [`${prefix}-start-${i}`, i]),
      ),
      metrics: Array.from({ length: limits.metricPointsPerRequest }, (_, i) => ({
        key: `${prefix}-start-${i % 10}`,
        value: i,
        step: Math.floor(i / 10),
      })),
    },
    201,
  );
  expect(response.body.pipeline.pipeline_components).toHaveLength(limits.pipelineComponents);
  expect(Object.keys(response.body.params)).toHaveLength(limits.paramsPerRequest);
  return response.body.run_id as string;
}

describe('every documented limit, alone and together, on one run', () => {
  for (const dimension of dimensions('alone')) {
    test(`alone: ${dimension.name}`, async () => {
      const runId = (await post('/api/v1/runs', { experiment_name: 'limits' }, 201)).body.run_id as string;
      await dimension.fill(runId);
      await dimension.check(await getRun(runId));
      await dimension.overflow(runId);
      await dimension.refused(await getRun(runId));
    }, 240_000);
  }

  test('together: the widest start, then every dimension filled on the same run', async () => {
    const runId = await startWidestRun('all');
    // The run starts with 10 metric keys: the metric dimension adds the other 990.
    const together = dimensions('all', 10);
    for (const dimension of together) await dimension.fill(runId);
    // Nothing is written between the checks: one read of the whole run (megabytes, in pages) serves them all.
    const run = await getRun(runId);
    for (const dimension of together) await dimension.check(run);
    expect(Object.keys(run.tags)).toHaveLength(limits.tagsPerEntity);
    expect(Object.keys(run.metrics)).toHaveLength(limits.metricKeysPerRun);
    expect(Object.keys(run.params)).toHaveLength(limits.paramsPerRequest + 250);
    expect(run.pipeline.pipeline_components).toHaveLength(limits.pipelineComponents);
    // Each refused request changes nothing, so one read after them all shows what any of them applied.
    for (const dimension of together) await dimension.overflow(runId);
    const afterOverflows = await getRun(runId);
    for (const dimension of together) await dimension.refused(afterOverflows);
    const listed = await local.api.get(`/api/v1/experiments/${run.experiment_id}/runs?max_results=1000`);
    const item = listed.body.runs.find((r: { run_id: string }) => r.run_id === runId);
    // A list carries the first page of a run's tags, and a token for the rest.
    expect(Object.keys(item.tags).length).toBeGreaterThan(0);
    expect(item.tags_truncated).toBe(true);
  }, 240_000); // heavy by design (items near 400 KB): minutes on a loaded 2-core machine; no timing is checked
});

describe('the metric-key limit is a condition of the write', () => {
  test('20 concurrent requests adding 5 new keys each to a run with 990: exactly 1,000 keys, no stray points', async () => {
    const runId = (await post('/api/v1/runs', { experiment_name: 'limits' }, 201)).body.run_id as string;
    for (let start = 0; start < 990; start += 330) {
      const metrics = Array.from({ length: 330 }, (_, i) => ({ key: `k${start + i}`, value: 1, step: 0 }));
      await post(`/api/v1/runs/${runId}/metrics`, { metrics });
    }
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, r) =>
        local.api.post(`/api/v1/runs/${runId}/metrics`, {
          metrics: Array.from({ length: 5 }, (_, i) => ({ key: `racer${r}-${i}`, value: r, step: 1 })),
        }),
      ),
    );
    const accepted = answers.filter((answer) => answer.status === 200);
    expect(answers.every((answer) => answer.status === 200 || answer.status === 409)).toBe(true);
    expect(accepted).toHaveLength(2);
    const run = await getRun(runId);
    expect(Object.keys(run.metrics)).toHaveLength(limits.metricKeysPerRun);
    for (let r = 0; r < 20; r++) {
      const history = await local.api.get(`/api/v1/runs/${runId}/metrics/racer${r}-0`);
      expect(history.body.points).toHaveLength(answers[r]?.status === 200 ? 1 : 0);
    }
  });
});

describe('an experiment is one item', () => {
  test('tags past 400 KB in all are a 400 naming tags, and nothing is created', async () => {
    const tags = Object.fromEntries(
      Array.from({ length: 25 }, (_, i) => [
        `key-${i}-${'k'.repeat(200)}`,
        'v'.repeat(limits.experimentTagValueLength),
      ]),
    );
    const refused = await local.api.post('/api/v1/experiments', { experiment_name: 'too-large', tags });
    expect(refused.status).toBe(400);
    expect(refused.body.error.message).toMatch(/^tags: /);
    expect((await local.api.get('/api/v1/experiments/by-name/too-large')).status).toBe(404);
    const fits = Object.fromEntries(Object.entries(tags).slice(0, 15));
    expect((await local.api.post('/api/v1/experiments', { experiment_name: 'large', tags: fits })).status).toBe(201);
  });
});

describe("tag values as long as MLflow's, and not one character more", () => {
  const refusedNaming = (response: { status: number; body: unknown }, field: RegExp) => {
    expect(response.status).toBe(400);
    expect(JSON.stringify(response.body)).toMatch(field);
  };

  test(`a run's tag: ${limits.tagValueLength} characters in both dialects`, async () => {
    const run = (await post('/api/v1/runs', { experiment_name: 'long-tags' }, 201)).body;
    const longest = wide(limits.tagValueLength, 'run-');
    await post(`/api/v1/runs/${run.run_id}/tags`, { tags: { v1: longest } });
    await post('/api/2.0/mlflow/runs/set-tag', { run_id: run.run_id, key: 'mlflow', value: longest });
    expect((await getRun(run.run_id)).tags).toMatchObject({ v1: longest, mlflow: longest });
    refusedNaming(await local.api.post(`/api/v1/runs/${run.run_id}/tags`, { tags: { v1: `${longest}x` } }), /tags\.v1/);
    // MLflow's API cuts a longer one to the limit, as MLflow's server does (its client sends it whole).
    await post('/api/2.0/mlflow/runs/set-tag', { run_id: run.run_id, key: 'm', value: `${longest}x` });
    expect((await getRun(run.run_id)).tags.m).toBe(longest);
  });

  test(`an experiment's tag: ${limits.experimentTagValueLength} characters in both dialects`, async () => {
    const longest = wide(limits.experimentTagValueLength, 'note-');
    const created = await post('/api/v1/experiments', { experiment_name: 'long-note', tags: { v1: longest } }, 201);
    const id: string = created.body.experiment_id;
    await post('/api/2.0/mlflow/experiments/set-experiment-tag', {
      experiment_id: id,
      key: 'mlflow.note.content',
      value: longest,
    });
    const read = await local.api.get(`/api/v1/experiments/${id}`);
    expect(read.body.tags).toMatchObject({ v1: longest, 'mlflow.note.content': longest });
    refusedNaming(await local.api.post(`/api/v1/experiments/${id}/tags`, { tags: { v1: `${longest}x` } }), /tags\.v1/);
    refusedNaming(
      await local.api.post('/api/2.0/mlflow/experiments/set-experiment-tag', {
        experiment_id: id,
        key: 'k',
        value: `${longest}x`,
      }),
      /'value'/,
    );
  });
});

describe('an idempotency key is at most 128 characters, sent either way', () => {
  test('in the body or as the Idempotency-Key header, on every route that takes one; one more is a 400 naming it', async () => {
    const run = await local.api.post('/api/v1/runs', { experiment_name: 'limits-idempotency-key' });
    const routes = [`/api/v1/runs/${run.body.run_id}/metrics`, `/api/v1/runs/${run.body.run_id}/batch`, '/api/v1/runs'];
    for (const path of routes) {
      const body = path === '/api/v1/runs' ? { experiment_name: 'limits-idempotency-key', metrics: [] } : {};
      const points = { ...body, metrics: [{ key: 'loss', value: 1 }] };
      const longest = 'k'.repeat(limits.idempotencyKeyLength);
      expect((await local.api.post(path, points, { 'idempotency-key': longest })).status).toBeLessThan(300);
      const header = await local.api.post(path, points, { 'idempotency-key': `${longest}k` });
      expect([path, header.status, header.body.error?.message]).toEqual([
        path,
        400,
        'Idempotency-Key: must be at most 128 characters',
      ]);
      const inBody = await local.api.post(path, { ...points, idempotency_key: `${longest}k` });
      expect([path, inBody.status]).toEqual([path, 400]);
      expect(inBody.body.error.message).toMatch(/idempotency_key: must be at most 128 characters/);
    }
  });
});
