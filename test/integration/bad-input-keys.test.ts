import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { routeList } from '../../shared/http/route-table.ts';
import { type ApiClient, type ApiResponse, apiClient, startTestStack, type TestStack } from '../support/local-api.ts';

/**
 * Every user-chosen key on every key-bearing field of every route (tag, param
 * and metric keys, metric names in paths and lists, tag filters) either
 * round-trips exactly or is refused with a 400 naming the field, under a list
 * of hostile names: JavaScript's prototype members, `__proto__`, empty-ish and
 * invisible strings, Unicode confusables and unnormalised forms, and the
 * longest allowed key. Never a 5xx, never a key silently dropped or changed.
 *
 * The fields come from the OpenAPI description: a route whose request has a
 * map (an object schema with additionalProperties), an array of `{key, ...}`,
 * a `metric_name`, a `metric_names`/`param_names` list or a key in its path must be listed in
 * `keyFields` below, so a new key-bearing route fails here until it is covered.
 */
const hostileKeys = [
  'constructor',
  'toString',
  'valueOf',
  'hasOwnProperty',
  'isPrototypeOf',
  'propertyIsEnumerable',
  'toLocaleString',
  '__proto__',
  'prototype',
  '__defineGetter__',
  '__lookupSetter__',
  'then',
  'length',
  '0',
  '-1',
  'NaN',
  'Infinity',
  'a.b',
  'a/b',
  'WS#default#RUN#x',
  ' ',
  '\u00a0',
  '\u200b',
  'a ',
  ' a',
  'ｃｏｎｓｔｒｕｃｔｏｒ',
  'cоnstructor', // a Cyrillic о
  'e\u0301', // not NFC
  'é',
  '\u202eevil',
  '🙂',
  'k'.repeat(250),
  'k'.repeat(251),
];

let stack: TestStack;
let api: ApiClient;
let experimentId: string;

beforeAll(async () => {
  stack = await startTestStack();
  api = apiClient(stack.url, stack.token);
  experimentId = (await api.post('/api/v1/experiments', { experiment_name: 'keys' })).body.experiment_id;
});
afterAll(() => stack?.stop());

const newRun = async (): Promise<string> => {
  const run = await api.post(`/api/v1/experiments/${experimentId}/runs`, {});
  expect(run.status).toBe(201);
  return run.body.run_id;
};

const has = (record: Record<string, unknown> | undefined, key: string) =>
  record !== undefined && Object.hasOwn(record, key);

/**
 * One key-bearing field: send a request with `key` in it; when it was
 * accepted, check the key came back exactly (`true`), else say what came back.
 */
interface KeyField {
  operationId: string;
  field: string;
  /** How a 400's message must start: it names the field. */
  named: RegExp;
  send(key: string): Promise<{ response: ApiResponse; roundTrip: () => Promise<boolean> }>;
}

const keyFields: KeyField[] = [
  {
    operationId: 'createExperiment',
    field: 'tags',
    named: /^body\.tags\b/,
    async send(key) {
      const response = await api.post('/api/v1/experiments', {
        experiment_name: `tagged-${Math.random()}`,
        tags: { [key]: 'v', plain: 'p' },
      });
      return {
        response,
        roundTrip: async () => {
          const read = await api.get(`/api/v1/experiments/${response.body.experiment_id}`);
          return has(read.body.tags, key) && read.body.tags[key] === 'v' && Object.keys(read.body.tags).length === 2;
        },
      };
    },
  },
  ...(['createRun', 'startRun'] as const).map((operationId): KeyField => ({
    operationId,
    field: 'tags',
    named: /^body\.tags\b/,
    async send(key) {
      const tags = { [key]: 'v', plain: 'p' };
      const response =
        operationId === 'createRun'
          ? await api.post(`/api/v1/experiments/${experimentId}/runs`, { tags })
          : await api.post('/api/v1/runs', { experiment_id: experimentId, tags });
      return {
        response,
        roundTrip: async () => {
          const read = await api.get(`/api/v1/runs/${response.body.run_id}`);
          return has(read.body.tags, key) && read.body.tags[key] === 'v' && has(read.body.tags, 'plain');
        },
      };
    },
  })),
  {
    operationId: 'setRunTags',
    field: 'tags',
    named: /^body\.tags\b/,
    async send(key) {
      const runId = await newRun();
      const response = await api.post(`/api/v1/runs/${runId}/tags`, { tags: { [key]: 'v' } });
      return {
        response,
        roundTrip: async () => {
          const read = await api.get(`/api/v1/runs/${runId}`);
          return has(read.body.tags, key) && read.body.tags[key] === 'v';
        },
      };
    },
  },
  {
    operationId: 'logParams',
    field: 'params',
    named: /^body\.params\b/,
    async send(key) {
      const runId = await newRun();
      const response = await api.post(`/api/v1/runs/${runId}/params`, { params: { [key]: 'v', lr: 1 } });
      return {
        response,
        roundTrip: async () => {
          const read = await api.get(`/api/v1/runs/${runId}`);
          return has(read.body.params, key) && read.body.params[key] === 'v' && read.body.params.lr === '1';
        },
      };
    },
  },
  ...(['metrics[].key', 'metric_name'] as const).map((field): KeyField => ({
    operationId: 'logMetrics',
    field,
    named: field === 'metric_name' ? /^body\.metric_name\b/ : /^body\.metrics\[0\]\.key\b/,
    async send(key) {
      const runId = await newRun();
      const body =
        field === 'metric_name'
          ? { metric_name: key, metric_value: 2, step: 1 }
          : {
              metrics: [
                { key, value: 2, step: 1 },
                { key: 'plain', value: 3, step: 1 },
              ],
            };
      const response = await api.post(`/api/v1/runs/${runId}/metrics`, body);
      return {
        response,
        roundTrip: async () => {
          const read = await api.get(`/api/v1/runs/${runId}`);
          const history = await api.get(`/api/v1/runs/${runId}/metrics/${encodeURIComponent(key)}`);
          return (
            has(read.body.metrics, key) &&
            read.body.metrics[key].value === 2 &&
            history.status === 200 &&
            history.body.points.length === 1 &&
            history.body.points[0].value === 2
          );
        },
      };
    },
  })),
  {
    operationId: 'getMetricHistory',
    field: 'path.metric_key',
    named: /^path\.metric_key\b/,
    async send(key) {
      // A key never logged: 404 or an empty history, never a 5xx; the logged case is covered above.
      const runId = await newRun();
      const response = await api.get(`/api/v1/runs/${runId}/metrics/${encodeURIComponent(key)}`);
      return { response, roundTrip: async () => response.body.points?.length === 0 };
    },
  },
  {
    operationId: 'listExperiments',
    field: 'tag.KEY',
    named: /^query\.tag\./,
    async send(key) {
      const name = `filtered-${Math.random()}`;
      await api.post('/api/v1/experiments', { experiment_name: name, tags: { [key]: 'match' } });
      const response = await api.get(`/api/v1/experiments?${new URLSearchParams({ [`tag.${key}`]: 'match' })}`);
      return {
        response,
        roundTrip: async () =>
          response.body.experiments.some((e: { experiment_name: string }) => e.experiment_name === name),
      };
    },
  },
  ...(['metric_names', 'param_names'] as const).map((field): KeyField => ({
    operationId: 'compareRuns',
    field,
    named: new RegExp(`^body\\.${field}\\b`),
    async send(key) {
      const runId = await newRun();
      await api.post(`/api/v1/runs/${runId}/params`, { params: { [key]: 'v' } });
      await api.post(`/api/v1/runs/${runId}/metrics`, { metrics: [{ key, value: 2, step: 1 }] });
      const response = await api.post('/api/v1/runs/compare', { run_ids: [runId], [field]: [key] });
      return {
        response,
        roundTrip: async () => {
          const row = response.body.runs?.[0];
          return field === 'metric_names' ? row?.metrics?.[key] === 2 : row?.params?.[key] === 'v';
        },
      };
    },
  })),
  ...(['searchRuns', 'searchRunsPost'] as const).map((operationId): KeyField => ({
    operationId,
    field: 'filter+order_by',
    named: operationId === 'searchRuns' ? /^query\.(filter|order_by)\b/ : /^body\.(filter|order_by)\b/,
    async send(key) {
      // A run of its own experiment holding the key as a param, a tag and a metric, found by all three.
      const experiment = await api.post('/api/v1/experiments', { experiment_name: `search-${Math.random()}` });
      const runId = (await api.post(`/api/v1/experiments/${experiment.body.experiment_id}/runs`, {})).body.run_id;
      const logged = await api.post(`/api/v1/runs/${runId}/params`, { params: { [key]: 'v' } });
      await api.post(`/api/v1/runs/${runId}/tags`, { tags: { [key]: 'v' } });
      await api.post(`/api/v1/runs/${runId}/metrics`, { metrics: [{ key, value: 2, step: 1 }] });
      const quoted = `\`${key.replace(/[\\`]/g, (c) => `\\${c}`)}\``;
      const filter = `params.${quoted} = 'v' AND tags.${quoted} = 'v' AND metrics.${quoted} = 2`;
      const orderBy = `metrics.${quoted} DESC`;
      const response =
        operationId === 'searchRuns'
          ? await api.get(
              `/api/v1/runs/search?${new URLSearchParams({ experiment_id: experiment.body.experiment_id, filter, order_by: orderBy })}`,
            )
          : await api.post('/api/v1/runs/search', {
              experiment_ids: [experiment.body.experiment_id],
              filter,
              order_by: [orderBy],
            });
      return {
        response,
        roundTrip: async () => {
          const runs: Array<{ run_id: string; params: Record<string, string> }> = response.body.runs ?? [];
          // A key the run could not hold finds nothing; a key it holds finds the run, key intact.
          if (logged.status !== 200) return runs.length === 0;
          const [run] = runs;
          // The plan header names the order key, percent-encoded (docs/search.md).
          const plan = decodeURIComponent(response.headers.get('x-stratus-search-plan') ?? '');
          return (
            run !== undefined &&
            run.run_id === runId &&
            runs.length === 1 &&
            has(run.params, key) &&
            run.params[key] === 'v' &&
            plan.includes(key)
          );
        },
      };
    },
  })),
];

describe('every key-bearing field of the route table is covered', () => {
  test('found from the OpenAPI description', async () => {
    const document = (await api.get('/api/v1/openapi.json')).body as OpenApi;
    const covered = new Set(keyFields.map((field) => field.operationId));
    for (const route of routeList) {
      const operation = document.paths[route.path.replace('+', '')]?.[route.method.toLowerCase()];
      const bodySchema = operation?.requestBody?.content['application/json']?.schema;
      const keyBearing =
        carriesKeys(bodySchema) ||
        /\{(metric_key|param_key|tag_key)\+?\}/.test(route.path) ||
        (operation?.parameters ?? []).some((p) => p.in === 'query' && /^(tag\.|filter$|order_by$)/.test(p.name));
      if (keyBearing) expect(covered, `${route.operationId} carries user keys`).toContain(route.operationId);
    }
  });
});

interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
}

interface OpenApi {
  paths: Record<
    string,
    Record<
      string,
      {
        parameters?: Array<{ name: string; in: string }>;
        requestBody?: { content: Record<string, { schema: JsonSchema }> };
      }
    >
  >;
}

/** A map of user keys, an array of `{key}` objects, a metric name or a list of names, anywhere in the schema. */
function carriesKeys(schema: JsonSchema | undefined): boolean {
  if (!schema) return false;
  if (typeof schema.additionalProperties === 'object') return true;
  for (const [name, property] of Object.entries(schema.properties ?? {})) {
    if (['metric_name', 'key', 'filter', 'order_by'].includes(name) || /^(metric|param|tag)_names$/.test(name))
      return true;
    if (carriesKeys(property)) return true;
  }
  return [schema.items, ...(schema.anyOf ?? []), ...(schema.oneOf ?? []), ...(schema.allOf ?? [])].some(carriesKeys);
}

describe.each(keyFields.map((field) => [`${field.operationId} ${field.field}`, field] as const))('%s', (_, field) => {
  test('each hostile key round-trips exactly or is a 400 naming the field', async () => {
    const failures: string[] = [];
    for (const key of hostileKeys) {
      const { response, roundTrip } = await field.send(key);
      const label = `${JSON.stringify(key).slice(0, 40)}: ${response.status} ${JSON.stringify(response.body).slice(0, 160)}`;
      if (response.status >= 200 && response.status < 300) {
        if (!(await roundTrip())) failures.push(`${label} — accepted but did not round-trip`);
      } else if (response.status === 404 && field.operationId === 'getMetricHistory') {
        // an unknown metric key: fine
      } else if (response.status !== 400) {
        failures.push(`${label} — neither accepted nor a 400`);
      } else if (!field.named.test(response.body.error?.message ?? '')) {
        failures.push(`${label} — a 400 that does not name the field`);
      }
    }
    expect(failures).toEqual([]);
  });
});

describe('metric values: exactly the documented non-finite spellings (README, "Semantics")', () => {
  const accepted: Array<[string, string]> = [
    ['NaN', 'NaN'],
    ['nan', 'NaN'],
    ['Infinity', 'Infinity'],
    ['INFINITY', 'Infinity'],
    ['-Infinity', '-Infinity'],
    ['-infinity', '-Infinity'],
  ];
  const refused = [
    'inf',
    '-inf',
    '+Infinity',
    ' NaN',
    'NaN ',
    'infinite',
    '',
    '1',
    'constructor',
    '__proto__',
    'toString',
  ];

  test.each(['metrics[].value', 'metric_value'])('%s', async (field) => {
    const send = (runId: string, value: string) =>
      api.post(
        `/api/v1/runs/${runId}/metrics`,
        field === 'metric_value'
          ? { metric_name: 'm', metric_value: value, step: 1 }
          : { metrics: [{ key: 'm', value, step: 1 }] },
      );
    const named = field === 'metric_value' ? /^body\.metric_value\b/ : /^body\.metrics\[0\]\.value\b/;
    for (const [spelling, answered] of accepted) {
      const runId = await newRun();
      expect((await send(runId, spelling)).status, spelling).toBe(200);
      const history = await api.get(`/api/v1/runs/${runId}/metrics/m`);
      expect(
        history.body.points.map((point: { value: unknown }) => point.value),
        spelling,
      ).toEqual([answered]);
    }
    const runId = await newRun();
    for (const spelling of refused) {
      const response = await send(runId, spelling);
      expect(response.status, spelling).toBe(400);
      expect(response.body.error.message, spelling).toMatch(named);
    }
    expect((await api.get(`/api/v1/runs/${runId}/metrics/m`)).body.points ?? []).toEqual([]);
  });
});
