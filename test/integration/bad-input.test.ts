import fc from '../support/fast-check.ts';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { routeList } from '../../shared/http/route-table.ts';
import { apiClient, startTestStack, type TestStack } from '../support/local-api.ts';
import { registerTestModel } from '../support/registry-fixture.ts';
import { errorCodeOf } from '../support/mlflow-requests.ts';

/**
 * Nothing a client sends gets a 500 or changes stored data. Hostile inputs are
 * tried on every route of the route table, then a bounded property-based fuzz
 * run walks every operation of the OpenAPI description.
 */
let stack: TestStack;
let api: ReturnType<typeof apiClient>;
let runId: string;
let experimentId: string;
let snapshot: string;

const readState = async () => {
  const run = await api.get(`/api/v1/runs/${runId}`);
  const history = await api.get(`/api/v1/runs/${runId}/metrics/acc`);
  const experiments = await api.get('/api/v1/experiments?max_results=1000');
  const tokens = await api.get('/api/v1/admin/tokens');
  const workspaces = await api.get('/api/v1/admin/workspaces');
  const model = await api.get('/api/v1/models/fuzz-model');
  const versions = await api.get('/api/v1/models/fuzz-model/versions');
  const aliases = await api.get('/api/v1/models/fuzz-model/alias-history');
  return JSON.stringify([
    run.body,
    history.body,
    experiments.body,
    tokens.body,
    workspaces.body,
    model.body,
    versions.body,
    aliases.body,
  ]);
};

beforeAll(async () => {
  stack = await startTestStack();
  api = apiClient(stack.url, stack.token);
  const run = await api.post('/api/v1/runs', {
    experiment_name: 'fuzz',
    run_name: 'target',
    tags: { keep: 'me' },
  });
  runId = run.body.run_id;
  experimentId = run.body.experiment_id;
  await api.post(`/api/v1/runs/${runId}/params`, { params: { lr: 0.1 } });
  await api.post(`/api/v1/runs/${runId}/metrics`, { metrics: [{ key: 'acc', value: 0.5, step: 1 }] });
  await registerTestModel(api, runId, 'fuzz-model');
  // The default experiment "0" appears when anything names it; it is part of the state from the start.
  expect((await api.get('/api/v1/experiments/0')).status).toBe(200);
  snapshot = await readState();
});
afterAll(() => stack.stop());

const nested = (depth: number): unknown => (depth === 0 ? 1 : { a: nested(depth - 1) });
const hostileBodies: Array<[string, string | Buffer]> = [
  ['malformed JSON', '{"a": '],
  ['a JSON string', '"hello"'],
  ['a JSON array', '[1,2,3]'],
  ['null', 'null'],
  ['wrong types everywhere', JSON.stringify({ experiment_name: 5, params: [], metrics: 'x', tags: 7, status: 1 })],
  ['huge strings', JSON.stringify({ experiment_name: 'x'.repeat(100_000), params: { k: 'v'.repeat(100_000) } })],
  ['deeply nested JSON', JSON.stringify({ pipeline: { pipeline_config: nested(2000) }, params: nested(2000) })],
  [
    '10,000-element arrays',
    JSON.stringify({ metrics: Array(10_000).fill({ key: 'a', value: 1 }), tags: Array(10_000).fill('t') }),
  ],
  ['invalid UTF-8', Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0x22, 0x7d])],
  ['unicode keys', JSON.stringify({ params: { 'ключ\u202e🙂': 1 }, tags: { '\ud800': 'lone surrogate' } })],
  ['bare NaN and Infinity', '{"metric_name": "a", "metric_value": NaN, "step": Infinity}'],
  [
    'negative and enormous steps',
    JSON.stringify({
      metrics: [
        { key: 'a', value: 1, step: -1e300 },
        { key: 'a', value: 1, step: 1e300 },
      ],
    }),
  ],
  ['prototype pollution', '{"__proto__": {"polluted": true}, "constructor": {"prototype": {"x": 1}}}'],
];
const hostileIds = ['x', '0'.repeat(31), 'G'.repeat(32), '../../etc/passwd', '%00', '%E0%A4%A', 'a'.repeat(5000)];

describe.each(routeList.map((route) => [`${route.method} ${route.path}`, route] as const))('%s', (_, route) => {
  const concretePath = (id?: string) =>
    route.path
      .replace('{experiment_id}', id ?? experimentId)
      .replace('{experiment_name}', id ?? 'fuzz')
      .replace('{run_id}', id ?? runId)
      .replace('{metric_key+}', id ?? 'acc')
      .replace('{token_id}', id ?? '0123456789abcdef')
      // A DELETE with a valid path is a valid request: aim it at a model that does not exist.
      .replace('{model_name}', id ?? (route.method === 'DELETE' ? 'fuzz-absent' : 'fuzz-model'))
      .replace('{version}', id ?? '1')
      .replace('{alias}', id ?? 'prod')
      .replace('{tag_key}', id ?? 'k')
      .replace('{model_id}', id ?? 'm-0123456789abcdef0123456789abcdef')
      .replace('{artifact_path+}', id ?? `${experimentId}/${runId}/artifacts/fuzz.bin`);

  test('hostile bodies and ids get a 4xx JSON error, never a 500', async () => {
    const cases: Array<{ label: string; path: string; body?: string | Buffer }> = [];
    if (route.method !== 'GET' && route.method !== 'DELETE') {
      for (const [label, body] of hostileBodies) cases.push({ label, path: concretePath(), body });
    }
    if (route.path.includes('{')) {
      for (const id of hostileIds) cases.push({ label: `id ${id.slice(0, 20)}`, path: concretePath(id) });
    }
    // Hostile query strings, for the routes that read a query (the others ignore it). Write routes get a
    // refused body: '{}' would be a valid request (a new run, say), which the run count would rightly show.
    for (const query of route.request.query
      ? ['max_results=-1', 'max_results=1e9', 'page_token=%00%FF', 'start_step=abc', 'status=%22']
      : []) {
      cases.push({ label: query, path: `${concretePath()}?${query}`, body: 'null' });
    }
    for (const { label, path, body } of cases) {
      const response = await fetch(`${stack.url}${path}`, {
        method: route.method,
        // A redirect to S3 (MLflow's proxied artifacts) is the answer being checked, not followed.
        redirect: 'manual',
        headers: { authorization: `Bearer ${stack.token}`, 'content-type': 'application/json' },
        // A fresh copy each time: fetch detaches the buffer it sends.
        body: route.method === 'GET' || route.method === 'DELETE' ? undefined : Buffer.from(body ?? '{}'),
      });
      const text = await response.text();
      expect(response.status, `${label}: ${text.slice(0, 200)}`).toBeLessThan(500);
      // A path that no longer matches this route (e.g. with `..` in it) gets the router's own 404.
      const answer = JSON.parse(text);
      if (response.status >= 400)
        expect(errorCodeOf(route, answer) ?? answer.error?.code, label).toEqual(expect.any(String));
    }
  });
});

test('no hostile request changed stored data', async () => {
  // Every route above was sent bodies that must all have been refused; the run is as it was.
  expect(await readState()).toBe(snapshot);
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
});

test('fuzz: arbitrary JSON against every operation of the OpenAPI description', async () => {
  const document = (await api.get('/api/v1/openapi.json')).body as {
    paths: Record<string, Record<string, { parameters?: Array<{ name: string; in: string }> }>>;
  };
  const operations = Object.entries(document.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, operation]) => ({ path, method: method.toUpperCase(), operation })),
  );
  const jsonValue = fc.jsonValue({ maxDepth: 4 });
  const segment = fc.oneof(fc.string({ maxLength: 40 }), fc.constantFrom(runId, experimentId, 'acc', 'fuzz'));
  const deadline = Date.now() + 60_000;
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom(...operations),
      fc.dictionary(fc.string({ maxLength: 12 }), jsonValue, { maxKeys: 6 }),
      segment,
      fc.dictionary(
        fc.constantFrom('max_results', 'page_token', 'status', 'start_step', 'max_points', 'tag.x'),
        fc.string({ maxLength: 30 }),
      ),
      async ({ path, method }, body, id, query) => {
        if (Date.now() > deadline) return;
        const concrete = path.replace(/\{[^}]+\}/g, () => encodeURIComponent(id) || 'x');
        const search = new URLSearchParams(query).toString();
        const response = await fetch(`${stack.url}${concrete}${search ? `?${search}` : ''}`, {
          method,
          headers: { authorization: `Bearer ${stack.token}`, 'content-type': 'application/json' },
          body: method === 'GET' || method === 'DELETE' ? undefined : JSON.stringify(body),
        });
        const text = await response.text();
        expect(
          response.status,
          `${method} ${concrete}?${search} ${JSON.stringify(body)}: ${text.slice(0, 200)}`,
        ).toBeLessThan(500);
      },
    ),
    { numRuns: 400, seed: 20261122 },
  );
}, 120_000);
