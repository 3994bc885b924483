import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { apiClient, startTestStack, type TestStack } from '../support/local-api.ts';

/**
 * Search against a few hundred varied runs in DynamoDB Local, checked against a
 * plain in-memory evaluation of the same filter and order over the same runs,
 * written here independently of the planner. Every operator, several orders
 * and page sizes, two experiments at once, page-token tampering and
 * cross-workspace use, then compare (JSON, CSV, only_differing_params).
 */
let stack: TestStack;
let api: ReturnType<typeof apiClient>;
let outsider: ReturnType<typeof apiClient>;

interface ModelRun {
  run_id: string;
  run_name: string;
  experiment_id: string;
  experiment: string;
  status: string;
  start_time: number;
  end_time?: number;
  params: Record<string, string>;
  tags: Record<string, string>;
  metrics: Record<string, number>;
}
const model: ModelRun[] = [];
const experimentIds: Record<string, string> = {};
const LONG_PREFIX = 'L'.repeat(1200);

// A small deterministic generator, so a failure reproduces.
let seed = 42;
const random = () => {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 2147483648;
};
const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)] as T;
const accValues = [
  Number.NEGATIVE_INFINITY,
  -2.5,
  -1,
  0,
  0.25,
  0.25,
  0.5,
  0.75,
  1,
  1e-300,
  3.5e10,
  Number.POSITIVE_INFINITY,
  Number.NaN,
];
const wire = (value: number) =>
  Number.isNaN(value) ? 'NaN' : value === Infinity ? 'Infinity' : value === -Infinity ? '-Infinity' : value;

async function parallel<T>(items: T[], work: (item: T) => Promise<void>, width = 8) {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      for (let item = items[next++]; item !== undefined; item = items[next++]) await work(item);
    }),
  );
}

beforeAll(async () => {
  stack = await startTestStack();
  api = apiClient(stack.url, stack.token);
  const other = await api.post('/api/v1/admin/workspaces', { workspace_id: 'search-outsiders' });
  outsider = apiClient(stack.url, other.body.admin_token.token);
  for (const name of ['search-a', 'search-b']) {
    experimentIds[name] = (await api.post('/api/v1/experiments', { experiment_name: name })).body.experiment_id;
  }
  const plans = Array.from({ length: 260 }, (_, i) => ({ i, experiment: i % 5 === 4 ? 'search-b' : 'search-a' }));
  await parallel(plans, async ({ i, experiment }) => {
    const tags: Record<string, string> = {};
    if (random() < 0.8) tags.team = pick(['alpha', 'beta', 'Gamma']);
    if (random() < 0.5) tags.note = `n${Math.floor(random() * 5)}`;
    const run = await api.post('/api/v1/runs', { experiment_name: experiment, run_name: `run-${i}`, tags });
    expect(run.status).toBe(201);
    const params: Record<string, string> = {};
    if (random() < 0.85) params.model = pick(['xgb', 'rf', 'lr', 'XGB-2']);
    params.lr = String(pick([0.1, 0.01, 0.001]));
    if (random() < 0.1) params.long = LONG_PREFIX + pick(['a', 'b']);
    const metrics: Record<string, number> = {};
    const points: Array<{ key: string; value: number | string; step: number }> = [];
    if (random() < 0.85) {
      metrics.acc = pick(accValues);
      // An earlier value first: the index entry must follow the latest one.
      points.push({ key: 'acc', value: random(), step: 0 }, { key: 'acc', value: wire(metrics.acc), step: 1 });
    }
    if (random() < 0.9) {
      metrics['val loss'] = Math.round(random() * 100) / 100 - 0.2;
      points.push({ key: 'val loss', value: metrics['val loss'], step: 0 });
    }
    if (points.length) {
      expect((await api.post(`/api/v1/runs/${run.body.run_id}/metrics`, { metrics: points })).status).toBe(200);
    }
    expect((await api.post(`/api/v1/runs/${run.body.run_id}/params`, { params })).status).toBe(200);
    const status = pick(['RUNNING', 'FINISHED', 'FINISHED', 'FAILED', 'KILLED']);
    let endTime: number | undefined;
    if (status !== 'RUNNING') {
      const ended = await api.patch(`/api/v1/runs/${run.body.run_id}`, { status });
      endTime = ended.body.end_time;
    }
    model.push({
      run_id: run.body.run_id,
      run_name: `run-${i}`,
      experiment_id: run.body.experiment_id,
      experiment,
      status,
      start_time: run.body.start_time,
      end_time: endTime,
      params,
      tags,
      metrics,
    });
  });
}, 240_000);
afterAll(() => stack.stop());

// ----- the reference: a plain evaluation over the model -----

type Value = string | number | undefined;
interface Ref {
  kind: 'metrics' | 'params' | 'tags' | 'attr';
  key: string;
}
interface RefClause {
  ref: Ref;
  op: string;
  value: number | string | string[];
}

const valueOf = (run: ModelRun, ref: Ref): Value => {
  if (ref.kind === 'metrics') return run.metrics[ref.key];
  if (ref.kind === 'params') return run.params[ref.key];
  if (ref.kind === 'tags') return run.tags[ref.key];
  if (ref.key === 'duration') return run.end_time === undefined ? undefined : run.end_time - run.start_time;
  return (run as unknown as Record<string, Value>)[ref.key];
};

const like = (pattern: string, flags: string) =>
  new RegExp(
    `^${pattern
      .split('')
      .map((c) => (c === '%' ? '.*' : c === '_' ? '.' : c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
      .join('')}$`,
    flags,
  );

function holds(run: ModelRun, clause: RefClause): boolean {
  const value = valueOf(run, clause.ref);
  if (clause.op === 'IS NULL') return value === undefined;
  if (clause.op === 'IS NOT NULL') return value !== undefined;
  if (value === undefined) return false;
  const target = clause.value;
  switch (clause.op) {
    case '=':
      return value === target;
    case '!=':
      return value !== target;
    case '<':
      return (value as number) < (target as number);
    case '<=':
      return (value as number) <= (target as number);
    case '>':
      return (value as number) > (target as number);
    case '>=':
      return (value as number) >= (target as number);
    case 'LIKE':
      return like(target as string, 's').test(value as string);
    case 'ILIKE':
      return like(target as string, 'is').test(value as string);
    case 'IN':
      return (target as string[]).includes(value as string);
    case 'NOT IN':
      return !(target as string[]).includes(value as string);
  }
  throw new Error(`operator ${clause.op}`);
}

/** One key: values in direction, then NaN, then missing; finally run id in the first key's direction. */
function referenceOrder(keys: Array<{ ref: Ref; desc: boolean }>) {
  const rank = (v: Value) => (v === undefined ? 2 : typeof v === 'number' && Number.isNaN(v) ? 1 : 0);
  const one = (a: Value, b: Value, desc: boolean) => {
    if (rank(a) !== rank(b)) return rank(a) - rank(b);
    if (rank(a) !== 0) return 0;
    const c =
      (a as string | number) < (b as string | number) ? -1 : (a as string | number) > (b as string | number) ? 1 : 0;
    return desc ? -c : c;
  };
  // MLflow's server completes every order with start_time DESC (unless start_time is a key), then run_uuid ASC.
  const byStartTime = keys.some(({ ref }) => ref.kind === 'attr' && ref.key === 'start_time');
  return (x: ModelRun, y: ModelRun) => {
    for (const key of keys) {
      const c = one(valueOf(x, key.ref), valueOf(y, key.ref), key.desc);
      if (c) return c;
    }
    if (!byStartTime) {
      const c = one(x.start_time, y.start_time, true);
      if (c) return c;
    }
    return one(x.run_id, y.run_id, false);
  };
}

const m = (key: string): Ref => ({ kind: 'metrics', key });
const p = (key: string): Ref => ({ kind: 'params', key });
const t = (key: string): Ref => ({ kind: 'tags', key });
const a = (key: string): Ref => ({ kind: 'attr', key });

/** Filter text and its reference clauses; run ids and times are filled in once the runs exist. */
function cases(): Array<{ filter: string; clauses: RefClause[] }> {
  const some = model.filter((_, i) => i % 37 === 0).map((run) => run.run_id);
  const middle = [...model].sort((x, y) => x.start_time - y.start_time)[Math.floor(model.length / 2)] as ModelRun;
  const durations = model.flatMap((run) => (run.end_time === undefined ? [] : [run.end_time - run.start_time]));
  const medianDuration = durations.sort((x, y) => x - y)[Math.floor(durations.length / 2)] ?? 0;
  const c = (ref: Ref, op: string, value: RefClause['value'] = ''): RefClause => ({ ref, op, value });
  return [
    { filter: '', clauses: [] },
    { filter: 'metrics.acc > 0.5', clauses: [c(m('acc'), '>', 0.5)] },
    { filter: 'metrics.acc >= 0.25', clauses: [c(m('acc'), '>=', 0.25)] },
    { filter: 'metrics.acc < 0', clauses: [c(m('acc'), '<', 0)] },
    { filter: 'metrics.acc <= -1', clauses: [c(m('acc'), '<=', -1)] },
    { filter: 'metrics.acc = 0.25', clauses: [c(m('acc'), '=', 0.25)] },
    { filter: 'metrics.acc != 0.25', clauses: [c(m('acc'), '!=', 0.25)] },
    { filter: 'metrics.acc > 1e10', clauses: [c(m('acc'), '>', 1e10)] },
    {
      filter: 'metrics.`val loss` < 0.3 AND metrics.acc >= -2.5',
      clauses: [c(m('val loss'), '<', 0.3), c(m('acc'), '>=', -2.5)],
    },
    { filter: "params.model = 'xgb'", clauses: [c(p('model'), '=', 'xgb')] },
    { filter: "params.model != 'xgb'", clauses: [c(p('model'), '!=', 'xgb')] },
    { filter: "params.model LIKE 'x%'", clauses: [c(p('model'), 'LIKE', 'x%')] },
    { filter: "params.model ILIKE 'x%'", clauses: [c(p('model'), 'ILIKE', 'x%')] },
    { filter: "params.model IN ('xgb', 'rf')", clauses: [c(p('model'), 'IN', ['xgb', 'rf'])] },
    { filter: "params.model NOT IN ('rf')", clauses: [c(p('model'), 'NOT IN', ['rf'])] },
    { filter: `params.long = '${LONG_PREFIX}a'`, clauses: [c(p('long'), '=', `${LONG_PREFIX}a`)] },
    { filter: "params.lr = '0.01' AND metrics.acc > 0", clauses: [c(p('lr'), '=', '0.01'), c(m('acc'), '>', 0)] },
    { filter: "tags.team = 'alpha'", clauses: [c(t('team'), '=', 'alpha')] },
    { filter: "tags.team != 'alpha'", clauses: [c(t('team'), '!=', 'alpha')] },
    { filter: "tags.team ILIKE 'g%'", clauses: [c(t('team'), 'ILIKE', 'g%')] },
    {
      filter: "tags.team IN ('beta', 'Gamma') AND tags.note NOT IN ('n1')",
      clauses: [c(t('team'), 'IN', ['beta', 'Gamma']), c(t('note'), 'NOT IN', ['n1'])],
    },
    { filter: "status = 'FINISHED'", clauses: [c(a('status'), '=', 'FINISHED')] },
    { filter: "attributes.status IN ('FAILED', 'KILLED')", clauses: [c(a('status'), 'IN', ['FAILED', 'KILLED'])] },
    {
      filter: "status != 'RUNNING' AND run_name LIKE 'run-1%'",
      clauses: [c(a('status'), '!=', 'RUNNING'), c(a('run_name'), 'LIKE', 'run-1%')],
    },
    { filter: "run_name ILIKE 'RUN-2_'", clauses: [c(a('run_name'), 'ILIKE', 'RUN-2_')] },
    { filter: `start_time > ${middle.start_time}`, clauses: [c(a('start_time'), '>', middle.start_time)] },
    { filter: `end_time <= ${middle.start_time + 1000}`, clauses: [c(a('end_time'), '<=', middle.start_time + 1000)] },
    { filter: `duration >= ${medianDuration}`, clauses: [c(a('duration'), '>=', medianDuration)] },
    {
      filter: `attributes.duration < ${medianDuration} AND status != 'FAILED'`,
      clauses: [c(a('duration'), '<', medianDuration), c(a('status'), '!=', 'FAILED')],
    },
    {
      filter: `run_id IN (${some.map((id) => `'${id}'`).join(', ')}, '${'f'.repeat(32)}')`,
      clauses: [c(a('run_id'), 'IN', [...some, 'f'.repeat(32)])],
    },
    { filter: 'params.model IS NULL', clauses: [c(p('model'), 'IS NULL')] },
    {
      filter: "params.model is not null AND tags.note IS NULL AND params.lr = '0.1'",
      clauses: [c(p('model'), 'IS NOT NULL'), c(t('note'), 'IS NULL'), c(p('lr'), '=', '0.1')],
    },
    { filter: 'metrics.acc IS NULL', clauses: [c(m('acc'), 'IS NULL')] },
    {
      filter: 'metrics.`val loss` IS NOT NULL AND attributes.end_time IS NULL',
      clauses: [c(m('val loss'), 'IS NOT NULL'), c(a('end_time'), 'IS NULL')],
    },
    {
      filter: "tags.team IS NOT NULL AND tags.team != 'beta'",
      clauses: [c(t('team'), 'IS NOT NULL'), c(t('team'), '!=', 'beta')],
    },
    {
      filter: `run_id = '${some[0]}' AND metrics.acc != 12345`,
      clauses: [c(a('run_id'), '=', some[0] as string), c(m('acc'), '!=', 12345)],
    },
  ];
}

const orders: Array<{ order_by?: string[]; keys: Array<{ ref: Ref; desc: boolean }> }> = [
  { order_by: undefined, keys: [{ ref: a('start_time'), desc: true }] },
  { order_by: ['metrics.acc DESC'], keys: [{ ref: m('acc'), desc: true }] },
  { order_by: ['metrics.acc'], keys: [{ ref: m('acc'), desc: false }] },
  { order_by: ['start_time ASC'], keys: [{ ref: a('start_time'), desc: false }] },
  {
    order_by: ['params.model ASC', 'metrics.`val loss` DESC'],
    keys: [
      { ref: p('model'), desc: false },
      { ref: m('val loss'), desc: true },
    ],
  },
  {
    order_by: ['metrics.acc DESC', 'start_time DESC'],
    keys: [
      { ref: m('acc'), desc: true },
      { ref: a('start_time'), desc: true },
    ],
  },
  { order_by: ['tags.team DESC'], keys: [{ ref: t('team'), desc: true }] },
  { order_by: ['run_name'], keys: [{ ref: a('run_name'), desc: false }] },
  { order_by: ['end_time DESC'], keys: [{ ref: a('end_time'), desc: true }] },
  // Runs still going have no duration: last, in either direction.
  { order_by: ['duration DESC'], keys: [{ ref: a('duration'), desc: true }] },
  {
    order_by: ['attributes.duration', 'run_name DESC'],
    keys: [
      { ref: a('duration'), desc: false },
      { ref: a('run_name'), desc: true },
    ],
  },
];

async function searchAll(body: Record<string, unknown>, pageSize: number) {
  const ids: string[] = [];
  let token: string | undefined;
  for (let page = 0; page < 1000; page++) {
    const response = await api.post('/api/v1/runs/search', { ...body, max_results: pageSize, page_token: token });
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    expect(response.body.runs.length).toBeLessThanOrEqual(pageSize);
    ids.push(...response.body.runs.map((run: { run_id: string }) => run.run_id));
    token = response.body.next_page_token;
    if (!token) return ids;
  }
  throw new Error('too many pages');
}

function expected(experiments: string[], clauses: RefClause[], keys: Array<{ ref: Ref; desc: boolean }>) {
  return model
    .filter((run) => experiments.includes(run.experiment) && clauses.every((clause) => holds(run, clause)))
    .sort(referenceOrder(keys))
    .map((run) => run.run_id);
}

describe('search agrees with an in-memory evaluation', () => {
  test('every operator, under several orders and page sizes', async () => {
    const sizes = [13, 60, 1000];
    let combination = 0;
    let nonEmpty = 0;
    for (const [i, { filter, clauses }] of cases().entries()) {
      for (const order of [orders[i % orders.length], orders[(i + 4) % orders.length]]) {
        const size = sizes[combination++ % sizes.length] as number;
        const want = expected(['search-a'], clauses, order!.keys);
        const got = await searchAll({ experiment_names: ['search-a'], filter, order_by: order!.order_by }, size);
        expect(got, `${filter} | ${order!.order_by} | ${size}`).toEqual(want);
        if (want.length > 0) nonEmpty++;
      }
    }
    expect(nonEmpty).toBeGreaterThan(40);
  }, 240_000);

  test('every order over all runs, in small pages, across two experiments', async () => {
    for (const order of orders) {
      const want = expected(['search-a', 'search-b'], [], order.keys);
      const got = await searchAll(
        { experiment_ids: [experimentIds['search-a'], experimentIds['search-b']], order_by: order.order_by },
        29,
      );
      expect(got, String(order.order_by)).toEqual(want);
    }
  }, 240_000);

  test('GET form: experiment by name or id, filter, repeated order_by', async () => {
    const want = expected(
      ['search-b'],
      [{ ref: m('acc'), op: '>', value: 0 }],
      [
        { ref: m('acc'), desc: true },
        { ref: a('start_time'), desc: true },
      ],
    );
    const query = `filter=${encodeURIComponent('metrics.acc>0')}&order_by=${encodeURIComponent('metrics.acc DESC')}&order_by=start_time%20DESC&max_results=1000`;
    const byName = await api.get(`/api/v1/runs/search?experiment_name=search-b&${query}`);
    expect(byName.status).toBe(200);
    expect(byName.body.runs.map((run: { run_id: string }) => run.run_id)).toEqual(want);
    const byId = await api.get(`/api/v1/runs/search?experiment_id=${experimentIds['search-b']}&${query}`);
    expect(byId.body).toEqual(byName.body);
    // Results carry the run's params, tags and latest metrics, as GET /runs/{id} does (artifacts are listed there only).
    const first = byName.body.runs[0];
    const { artifacts, ...details } = (await api.get(`/api/v1/runs/${first.run_id}`)).body;
    expect(artifacts).toEqual([]);
    expect(first).toEqual(details);
  });

  test('a run with every field is answered the same by every search path as by GET /runs/{id}', async () => {
    // Search pages read the run and values items through a projection: a field it leaves out is lost here.
    const experimentId = (await api.post('/api/v1/experiments', { experiment_name: 'search-every-field' })).body
      .experiment_id as string;
    const parent = await api.post(`/api/v1/experiments/${experimentId}/runs`, { run_name: 'parent' });
    const created = await api.post(`/api/v1/experiments/${experimentId}/runs`, {
      run_name: 'every-field',
      parent_run_id: parent.body.run_id,
      git_commit: 'a1b2c3d',
      code_version: 'v1.2.3',
      pipeline: {
        pipeline_config: { lr: 0.1, layers: [64, 32] },
        pipeline_components: [{ name: 'fit', type: 'trainer', stage: 'train', position: 0 }],
      },
      tags: { team: 'vision', 'mlflow.note.content': 'a note' },
      params: { lr: '0.1', depth: '4' },
      metrics: [
        { key: 'acc', value: 0.5, step: 3, timestamp: 1_700_000_000_000 },
        { key: 'loss', value: 0.25, step: 7, timestamp: 1_700_000_000_001 },
      ],
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const runId = created.body.run_id as string;
    expect((await api.patch(`/api/v1/runs/${runId}`, { status: 'FAILED' })).status).toBe(200);
    const { artifacts, ...whole } = (await api.get(`/api/v1/runs/${runId}`)).body;
    expect(artifacts).toEqual([]);
    expect(whole.pipeline.pipeline_components).toHaveLength(1);
    for (const body of [
      {},
      { filter: 'metrics.acc > 0.1' },
      { filter: "params.lr = '0.1'" },
      { filter: "tags.team = 'vision'" },
      { filter: "attributes.run_name = 'every-field'" },
      { order_by: ['metrics.loss DESC'] },
    ]) {
      const found = await api.post('/api/v1/runs/search', { experiment_ids: [experimentId], ...body });
      expect(found.status, JSON.stringify(found.body)).toBe(200);
      const run = found.body.runs.find((candidate: { run_id: string }) => candidate.run_id === runId);
      expect(run, JSON.stringify(body)).toEqual(whole);
    }
  });

  test('the plan: indexes when a clause or the order allows, the full read only otherwise', async () => {
    const plan = async (body: Record<string, unknown>) =>
      (await api.post('/api/v1/runs/search', { experiment_names: ['search-a'], ...body })).headers.get(
        'x-stratus-search-plan',
      );
    expect(await plan({ filter: 'metrics.acc > 0.5' })).toMatch(/^index: metrics.acc >/);
    // Param rows are read whole: only when no other index narrows the runs.
    expect(await plan({ filter: "params.model = 'xgb'" })).toBe('index: params.model =');
    expect(await plan({ filter: "params.model = 'xgb' AND tags.team = 'alpha'" })).toBe(
      'index: tags.team =, params from param rows',
    );
    // These runs got their params after their metrics: their metric index entries lack them (entry-params.test.ts).
    expect(await plan({ filter: "params.model = 'xgb' AND metrics.acc > 0.5" })).toBe(
      'index: metrics.acc >, params from param rows',
    );
    expect(await plan({})).toBe('order: start_time');
    expect(await plan({ order_by: ['metrics.acc DESC'], filter: "status = 'FINISHED'" })).toBe('order: metrics.acc');
    expect(await plan({ order_by: ['run_name'], filter: "tags.team = 'alpha'" })).toMatch(/^index: tags.team =/);
    expect(await plan({ filter: "run_name = 'r1'" })).toMatch(/^index: run_name =/);
    expect(await plan({ order_by: ['run_name DESC'], filter: "tags.team != 'alpha'" })).toBe('order: run_name');
    expect(await plan({ order_by: ['params.model'], filter: "tags.team LIKE 'a%'" })).toMatch(/^full/);
  });
});

describe('errors and page tokens', () => {
  test('syntax errors and unknown experiments', async () => {
    const bad = await api.post('/api/v1/runs/search', {
      experiment_names: ['search-a'],
      filter: 'metrics.accuracy 0.9',
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/^filter: expected an operator .* at position 17/);
    const or = await api.get(
      `/api/v1/runs/search?experiment_name=search-a&filter=${encodeURIComponent('metrics.a > 1 OR metrics.b < 2')}`,
    );
    expect(or.status).toBe(400);
    expect(or.body.error.message).toMatch(/OR is not supported/);
    expect((await api.get('/api/v1/runs/search?experiment_name=nope')).status).toBe(404);
    expect((await api.get('/api/v1/runs/search')).status).toBe(400);
    expect((await api.post('/api/v1/runs/search', { experiment_ids: [] })).status).toBe(400);
    const order = await api.post('/api/v1/runs/search', {
      experiment_names: ['search-a'],
      order_by: ['metrics.a SIDEWAYS'],
    });
    expect(order.body.error.message).toMatch(/^order_by: expected ASC, DESC/);
  });

  test('a page token continues only the search that issued it, in the workspace that issued it', async () => {
    const body = { experiment_names: ['search-a'], filter: 'metrics.acc > -1', max_results: 5 };
    const first = await api.post('/api/v1/runs/search', body);
    const token: string = first.body.next_page_token;
    expect(token).toBeDefined();
    expect((await api.post('/api/v1/runs/search', { ...body, page_token: token })).status).toBe(200);
    const refused = async (response: { status: number; body: { error: { code: string } } }) => {
      expect(response.status).toBe(400);
      expect(response.body.error.code).toBe('page_token.invalid');
    };
    // Another filter, another experiment, another order: refused.
    await refused(await api.post('/api/v1/runs/search', { ...body, filter: 'metrics.acc > -2', page_token: token }));
    await refused(
      await api.post('/api/v1/runs/search', { ...body, experiment_names: ['search-b'], page_token: token }),
    );
    await refused(await api.post('/api/v1/runs/search', { ...body, order_by: ['run_name'], page_token: token }));
    // Edited tokens (opaque, so edits are byte edits; test/integration/page-tokens.test.ts tries them all) and garbage.
    const bytes = Buffer.from(token, 'base64url');
    bytes.writeUInt8((bytes.readUInt8(bytes.length >> 1) ^ 1) & 0xff, bytes.length >> 1);
    await refused(await api.post('/api/v1/runs/search', { ...body, page_token: bytes.toString('base64url') }));
    await refused(await api.post('/api/v1/runs/search', { ...body, page_token: token.slice(0, -4) }));
    await refused(await api.post('/api/v1/runs/search', { ...body, page_token: 'bm90IGEgdG9rZW4' }));
    // The same experiment name in another workspace: the outsider's own search refuses our token.
    await outsider.post('/api/v1/experiments', { experiment_name: 'search-a' });
    await refused(await outsider.post('/api/v1/runs/search', { ...body, page_token: token }));
    // And our experiment id is unknown there.
    expect((await outsider.post('/api/v1/runs/search', { experiment_ids: [experimentIds['search-a']] })).status).toBe(
      404,
    );
  });
});

describe('compare', () => {
  test('JSON: runs as rows, latest metrics and params as columns, nulls where absent', async () => {
    const runs = model.slice(0, 6);
    const response = await api.post('/api/v1/runs/compare', { run_ids: runs.map((run) => run.run_id) });
    expect(response.status).toBe(200);
    const metricNames = [...new Set(runs.flatMap((run) => Object.keys(run.metrics)))].sort();
    const paramNames = [...new Set(runs.flatMap((run) => Object.keys(run.params)))].sort();
    expect(response.body.metric_names).toEqual(metricNames);
    expect(response.body.param_names).toEqual(paramNames);
    expect(response.body.runs).toEqual(
      runs.map((run) => ({
        run_id: run.run_id,
        run_name: run.run_name,
        experiment_id: run.experiment_id,
        status: run.status,
        start_time: run.start_time,
        metrics: Object.fromEntries(
          metricNames.map((n) => [n, n in run.metrics ? wire(run.metrics[n] as number) : null]),
        ),
        // acc was logged at steps 0 and 1 (a curve), val loss once at step 0 (a value).
        metric_steps: Object.fromEntries(
          metricNames
            .filter((n) => n in run.metrics)
            .map((n) => [n, n === 'acc' ? { step: 1, min_step: 0 } : { step: 0, min_step: 0 }]),
        ),
        params: Object.fromEntries(paramNames.map((n) => [n, run.params[n] ?? null])),
      })),
    );
  });

  test('chosen columns, only the params that differ, and CSV', async () => {
    const runs = model.filter((run) => run.params.lr === '0.1' && run.params.model !== undefined).slice(0, 3);
    const ids = runs.map((run) => run.run_id);
    const differing = await api.post('/api/v1/runs/compare', {
      run_ids: ids,
      metric_names: ['acc', 'missing'],
      only_differing_params: true,
    });
    expect(differing.body.metric_names).toEqual(['acc', 'missing']);
    expect(differing.body.param_names).not.toContain('lr');
    const models = new Set(runs.map((run) => run.params.model));
    expect(differing.body.param_names.includes('model')).toBe(models.size > 1);
    expect(differing.body.runs.every((run: any) => run.metrics.missing === null)).toBe(true);
    // Steps only of the metrics asked for, and only those the run has.
    expect(
      differing.body.runs.every((run: any) =>
        Object.keys(run.metric_steps).every((name) => name === 'acc' && run.metrics.acc !== null),
      ),
    ).toBe(true);

    const csv = await api.post(
      '/api/v1/runs/compare',
      { run_ids: ids, metric_names: ['acc'], param_names: ['lr', 'model'] },
      { accept: 'text/csv' },
    );
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    const lines = (csv.body as string).trimEnd().split('\r\n');
    expect(lines[0]).toBe('run_id,run_name,status,start_time,metrics.acc,params.lr,params.model');
    expect(lines).toHaveLength(runs.length + 1);
    runs.forEach((run, i) => {
      const acc = run.metrics.acc === undefined ? '' : String(run.metrics.acc);
      expect(lines[i + 1]).toBe(
        [run.run_id, run.run_name, run.status, run.start_time, acc, '0.1', run.params.model].join(','),
      );
    });
  });

  test("another workspace's runs are 404; run count is bounded", async () => {
    const foreign = await outsider.post('/api/v1/runs/compare', { run_ids: [model[0]!.run_id] });
    expect(foreign.status).toBe(404);
    expect(foreign.body.error.code).toBe('run.not_found');
    const tooMany = await api.post('/api/v1/runs/compare', {
      run_ids: Array.from({ length: 101 }, () => 'a'.repeat(32)),
    });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error.message).toMatch(/^body\.run_ids/);
  });
});

describe('experiments by tag', () => {
  test('tag filters page through every match and nothing else', async () => {
    const names: string[] = [];
    for (let i = 0; i < 9; i++) {
      const tags = i % 3 === 0 ? { project: 'x', stage: 'prod' } : { project: 'x' };
      await api.post('/api/v1/experiments', { experiment_name: `tagged-${i}`, tags });
      if (i % 3 === 0) names.unshift(`tagged-${i}`);
    }
    const seen: string[] = [];
    let token: string | undefined;
    do {
      const page = await api.get(
        `/api/v1/experiments?tag.stage=prod&tag.project=x&max_results=1${token ? `&page_token=${encodeURIComponent(token)}` : ''}`,
      );
      expect(page.status).toBe(200);
      seen.push(...page.body.experiments.map((e: { experiment_name: string }) => e.experiment_name));
      token = page.body.next_page_token;
    } while (token);
    expect(seen).toEqual(names);
    const bad = await api.get(`/api/v1/experiments?tag.${'k'.repeat(300)}=v`);
    expect(bad.status).toBe(400);
  });
});

describe('answer size', () => {
  test('a page of large runs ends early with a token, never past what a function may answer (search, list)', async () => {
    // Six runs of 200 tags of 8,000 characters (1.6 MB each): one page of them all was 9.6 MB, which
    // Lambda cannot return (6 MB; API Gateway then answers 500) and the local server now refuses alike.
    const name = `big-runs-${Math.random().toString(36).slice(2, 8)}`;
    const tags = (from: number) =>
      Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`t${from + i}`, String(i % 10).repeat(8000)]));
    const created: string[] = [];
    for (let index = 0; index < 6; index++) {
      const run = await api.post('/api/v1/runs', { experiment_name: name, tags: tags(0) });
      expect(run.status).toBe(201);
      expect((await api.post(`/api/v1/runs/${run.body.run_id}/tags`, { tags: tags(100) })).status).toBe(200);
      created.push(run.body.run_id);
    }
    const experimentId = (await api.get(`/api/v1/experiments/by-name/${name}`)).body.experiment_id as string;
    for (const [label, next] of [
      [
        'POST',
        (token?: string) =>
          api.post('/api/v1/runs/search', { experiment_ids: [experimentId], max_results: 1000, page_token: token }),
      ],
      [
        'GET',
        (token?: string) =>
          api.get(
            `/api/v1/runs/search?experiment_id=${experimentId}&max_results=1000${token ? `&page_token=${token}` : ''}`,
          ),
      ],
      [
        'list',
        (token?: string) =>
          api.get(`/api/v1/experiments/${experimentId}/runs?max_results=1000${token ? `&page_token=${token}` : ''}`),
      ],
    ] as const) {
      const seen: string[] = [];
      let token: string | undefined;
      let pages = 0;
      do {
        const page = await next(token);
        expect(page.status, label).toBe(200);
        expect(JSON.stringify(page.body).length).toBeLessThan(5 * 1024 * 1024);
        expect(page.body.runs.length).toBeGreaterThan(0);
        seen.push(...page.body.runs.map((run: { run_id: string }) => run.run_id));
        token = page.body.next_page_token;
        pages++;
      } while (token);
      expect(pages, label).toBeGreaterThan(1);
      expect([...seen].sort(), label).toEqual([...created].sort());
    }
  }, 120_000);
});
