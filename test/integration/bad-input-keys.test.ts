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
  // Refused by every key rule: the 400 must say why, not zod's bare "Invalid key in record".
  '',
  'a\u0001b',
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
  /** A 404 is a fine answer too (the key names something that need not exist). */
  notFoundOk?: boolean;
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
    operationId: 'logRunInputs',
    field: 'datasets[].tags',
    named: /^body\.datasets\[0\]\.tags\b/,
    async send(key) {
      const runId = await newRun();
      const response = await api.post(`/api/v1/runs/${runId}/inputs`, {
        datasets: [{ name: 'd', digest: 'd1', source_type: 'local', source: '{}', tags: { [key]: 'v', plain: 'p' } }],
      });
      return {
        response,
        roundTrip: async () => {
          const read = await api.get(`/api/v1/runs/${runId}/lineage`);
          const tags = read.body.datasets[0]?.tags;
          return has(tags, key) && tags[key] === 'v' && has(tags, 'plain');
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
    notFoundOk: true,
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
    named: operationId === 'searchRuns' ? /^(query\.)?(filter|order_by)\b/ : /^(body\.)?(filter|order_by)\b/,
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
  ...(['setExperimentTags', 'deleteExperimentTag'] as const).map((operationId): KeyField => ({
    operationId,
    field: operationId === 'setExperimentTags' ? 'tags' : 'path.tag_key',
    named: operationId === 'setExperimentTags' ? /^body\.tags\b/ : /^path\.tag_key\b/,
    notFoundOk: operationId === 'deleteExperimentTag',
    async send(key) {
      const created = await api.post('/api/v1/experiments', {
        experiment_name: `tags-${Math.random()}`,
        tags: { plain: 'p' },
      });
      const id = created.body.experiment_id;
      const set = await api.post(`/api/v1/experiments/${id}/tags`, { tags: { [key]: 'v' } });
      if (operationId === 'setExperimentTags') {
        return {
          response: set,
          roundTrip: async () => {
            const tags = (await api.get(`/api/v1/experiments/${id}`)).body.tags;
            return has(tags, key) && tags[key] === 'v' && has(tags, 'plain');
          },
        };
      }
      const response = await api.delete(`/api/v1/experiments/${id}/tags/${encodeURIComponent(key)}`);
      return {
        response,
        roundTrip: async () => {
          const tags = (await api.get(`/api/v1/experiments/${id}`)).body.tags;
          return set.status === 200 && !has(tags, key) && has(tags, 'plain');
        },
      };
    },
  })),
  {
    operationId: 'deleteRunTag',
    field: 'path.tag_key',
    named: /^path\.tag_key\b/,
    notFoundOk: true,
    async send(key) {
      const runId = await newRun();
      const set = await api.post(`/api/v1/runs/${runId}/tags`, { tags: { [key]: 'v', plain: 'p' } });
      const response = await api.delete(`/api/v1/runs/${runId}/tags/${encodeURIComponent(key)}`);
      return {
        response,
        roundTrip: async () => {
          const tags = (await api.get(`/api/v1/runs/${runId}`)).body.tags;
          return set.status === 200 && !has(tags, key) && has(tags, 'plain');
        },
      };
    },
  },
  ...(['params', 'tags', 'metrics'] as const).map((list): KeyField => ({
    operationId: 'logBatch',
    field: list === 'metrics' ? 'metrics[].key' : list,
    named: list === 'metrics' ? /^body\.metrics\[0\]\.key\b/ : new RegExp(`^body\\.${list}\\b`),
    async send(key) {
      const runId = await newRun();
      const body =
        list === 'metrics'
          ? {
              metrics: [
                { key, value: 2, step: 1 },
                { key: 'plain', value: 3, step: 1 },
              ],
            }
          : { [list]: { [key]: 'v', plain: 'p' } };
      const response = await api.post(`/api/v1/runs/${runId}/batch`, body);
      return {
        response,
        roundTrip: async () => {
          const read = (await api.get(`/api/v1/runs/${runId}`)).body;
          if (list === 'metrics') return has(read.metrics, key) && read.metrics[key].value === 2;
          return has(read[list], key) && read[list][key] === 'v' && has(read[list], 'plain');
        },
      };
    },
  })),
  ...mlflowKeyFields(),
  ...registryKeyFields(),
];

/** The model registry's key-bearing fields, in both dialects, read back through each dialect's own answers. */
function registryKeyFields(): KeyField[] {
  const mlflow = '/api/2.0/mlflow';
  const modelName = (prefix: string) => `${prefix}-${Math.random().toString(36).slice(2)}`;
  const v1Model = (name: string) => `/api/v1/models/${encodeURIComponent(name)}`;
  // One run with one COMPLETE artifact, registered as many versions as the rows need.
  let source: Promise<string> | undefined;
  const sourceRun = () =>
    (source ??= (async () => {
      const runId = await newRun();
      const bytes = Buffer.from('model bytes');
      const plan = await api.post(`/api/v1/runs/${runId}/artifacts`, {
        path: 'model.pkl',
        artifact_type: 'model',
        size_bytes: bytes.length,
      });
      expect(plan.status, JSON.stringify(plan.body)).toBe(201);
      const put = await fetch(plan.body.upload.url, { method: 'PUT', headers: plan.body.upload.headers, body: bytes });
      expect(put.status).toBe(200);
      expect((await api.post(`/api/v1/runs/${runId}/artifacts/complete`, { path: 'model.pkl' })).status).toBe(200);
      return runId;
    })());
  const v1Version = async (tags: Record<string, string> = {}) => {
    const name = modelName('v1-keys');
    expect((await api.post('/api/v1/models', { name })).status).toBe(201);
    const created = await api.post(`${v1Model(name)}/versions`, {
      run_id: await sourceRun(),
      artifact_path: 'model.pkl',
      tags,
    });
    return { name, created };
  };
  const readV1Version = async (name: string) => (await api.get(`${v1Model(name)}/versions/1`)).body;
  const mlflowModel = async (tags: Array<{ key: string; value: string }> = []) => {
    const name = modelName('mlflow-keys');
    const created = await api.post(`${mlflow}/registered-models/create`, { name, tags });
    return { name, created };
  };
  const readMlflowModel = async (name: string) =>
    (await api.get(`${mlflow}/registered-models/get?${new URLSearchParams({ name })}`)).body.registered_model;
  const mlflowVersion = async (tags: Array<{ key: string; value: string }> = []) => {
    const { name } = await mlflowModel();
    const runId = await sourceRun();
    const created = await api.post(`${mlflow}/model-versions/create`, {
      name,
      source: `runs:/${runId}/model.pkl`,
      run_id: runId,
      tags,
    });
    return { name, created };
  };
  const readMlflowVersion = async (name: string) =>
    (await api.get(`${mlflow}/model-versions/get?${new URLSearchParams({ name, version: '1' })}`)).body.model_version;
  /** MLflow's registry objects that carry tags: how to make one with tags, read it back, and name it. */
  const mlflowRegistryEntities = [
    { noun: 'RegisteredModel', route: 'registered-models', create: mlflowModel, read: readMlflowModel, id: {} },
    {
      noun: 'ModelVersion',
      route: 'model-versions',
      create: mlflowVersion,
      read: readMlflowVersion,
      id: { version: '1' },
    },
  ];

  return [
    {
      operationId: 'createRegisteredModel',
      field: 'tags',
      named: /^body\.tags\b/,
      async send(key) {
        const name = modelName('v1-keys');
        const response = await api.post('/api/v1/models', { name, tags: { [key]: 'v', plain: 'p' } });
        return {
          response,
          roundTrip: async () => {
            const tags = (await api.get(v1Model(name))).body.tags;
            return has(tags, key) && tags[key] === 'v' && Object.keys(tags).length === 2;
          },
        };
      },
    },
    {
      operationId: 'listRegisteredModels',
      field: 'tag.KEY',
      named: /^query\.tag\./,
      async send(key) {
        const name = modelName('v1-filtered');
        await api.post('/api/v1/models', { name, tags: { [key]: 'match' } });
        const response = await api.get(`/api/v1/models?${new URLSearchParams({ [`tag.${key}`]: 'match' })}`);
        return {
          response,
          roundTrip: async () => (response.body.models ?? []).some((model: { name: string }) => model.name === name),
        };
      },
    },
    {
      operationId: 'updateRegisteredModel',
      field: 'tags',
      named: /^body\.tags\b/,
      async send(key) {
        const name = modelName('v1-keys');
        await api.post('/api/v1/models', { name, tags: { plain: 'p' } });
        const response = await api.patch(v1Model(name), { tags: { [key]: 'v' } });
        return {
          response,
          roundTrip: async () => {
            const tags = (await api.get(v1Model(name))).body.tags;
            return has(tags, key) && tags[key] === 'v' && has(tags, 'plain');
          },
        };
      },
    },
    ...(['tags', 'metadata'] as const).map((field): KeyField => ({
      operationId: 'createModelVersion',
      field,
      named: new RegExp(`^body\\.${field}\\b`),
      async send(key) {
        const name = modelName('v1-keys');
        await api.post('/api/v1/models', { name });
        const response = await api.post(`${v1Model(name)}/versions`, {
          run_id: await sourceRun(),
          artifact_path: 'model.pkl',
          [field]: field === 'tags' ? { [key]: 'v', plain: 'p' } : { [key]: 1, plain: 2 },
        });
        return {
          response,
          roundTrip: async () => {
            const record = (await readV1Version(name))[field];
            const value = field === 'tags' ? 'v' : 1;
            return has(record, key) && record[key] === value && Object.keys(record).length === 2;
          },
        };
      },
    })),
    {
      operationId: 'updateModelVersion',
      field: 'tags',
      named: /^body\.tags\b/,
      async send(key) {
        const { name } = await v1Version({ plain: 'p' });
        const response = await api.patch(`${v1Model(name)}/versions/1`, { tags: { [key]: 'v' } });
        return {
          response,
          roundTrip: async () => {
            const tags = (await readV1Version(name)).tags;
            return has(tags, key) && tags[key] === 'v' && has(tags, 'plain');
          },
        };
      },
    },
    ...mlflowRegistryEntities.flatMap(({ noun, route, create, read, id }): KeyField[] => [
      {
        operationId: `mlflowCreate${noun}`,
        field: 'tags[].key',
        named: namedInBody('tags[0].key'),
        async send(key) {
          const { name, created } = await create([
            { key, value: 'v' },
            { key: 'plain', value: 'p' },
          ]);
          return {
            response: created,
            roundTrip: async () => {
              const tags = (await read(name)).tags;
              return listHas(tags, key, 'v') && listHas(tags, 'plain', 'p');
            },
          };
        },
      },
      ...(['Set', 'Delete'] as const).map((verb): KeyField => ({
        operationId: `mlflow${verb}${noun}Tag`,
        field: 'key',
        named: namedInBody('key'),
        notFoundOk: verb === 'Delete',
        async send(key) {
          const { name } = await create([{ key: 'plain', value: 'p' }]);
          const set = await api.post(`${mlflow}/${route}/set-tag`, { name, ...id, key, value: 'v' });
          if (verb === 'Set') {
            return { response: set, roundTrip: async () => listHas((await read(name)).tags, key, 'v') };
          }
          const response = await api.call('DELETE', `${mlflow}/${route}/delete-tag`, { name, ...id, key });
          return {
            response,
            roundTrip: async () => {
              const tags = (await read(name)).tags;
              return set.status === 200 && listLacks(tags, key) && listHas(tags, 'plain', 'p');
            },
          };
        },
      })),
    ]),
    ...(['mlflowSearchRegisteredModels', 'mlflowSearchModelVersions'] as const).map((operationId): KeyField => ({
      operationId,
      field: 'filter',
      named: /^(query\.)?filter\b/,
      async send(key) {
        const value = `match-${Math.random()}`;
        const tags = [{ key, value }];
        const { name, created } =
          operationId === 'mlflowSearchRegisteredModels' ? await mlflowModel(tags) : await mlflowVersion(tags);
        const quoted = key.includes('`') ? JSON.stringify(key) : `\`${key}\``;
        const filter = `name = '${name}' AND tags.${quoted} = '${value}'`;
        const response = await api.get(
          `${mlflow}/${operationId === 'mlflowSearchRegisteredModels' ? 'registered-models' : 'model-versions'}/search?${new URLSearchParams({ filter })}`,
        );
        return {
          response,
          roundTrip: async () => {
            const found: Array<{ name: string }> =
              response.body.registered_models ?? response.body.model_versions ?? [];
            // A key the model could not hold finds nothing; a key it holds finds exactly it.
            return created.status !== 200 ? found.length === 0 : found.length === 1 && found[0]?.name === name;
          },
        };
      },
    })),
  ];
}

/** Routes the schema scan flags that carry no user key, and why. */
const keyFree: Record<string, string> = {
  mlflowSearchLoggedModels: "its filter is only `name = '...'` and its order_by names fields, not keys",
};

describe('every key-bearing field of the route table is covered', () => {
  test('found from the OpenAPI description', async () => {
    const document = (await api.get('/api/v1/openapi.json')).body as OpenApi;
    const covered = new Set(keyFields.map((field) => field.operationId));
    const uncovered: string[] = [];
    for (const route of routeList) {
      const operation = document.paths[route.path.replace('+', '')]?.[route.method.toLowerCase()];
      const bodySchema = operation?.requestBody?.content['application/json']?.schema;
      const keyBearing =
        carriesKeys(bodySchema) ||
        /\{(metric_key|param_key|tag_key)\+?\}/.test(route.path) ||
        (operation?.parameters ?? []).some(
          (p) => p.in === 'query' && /^(tag\.|filter$|order_by$|metric_key$|key$)/.test(p.name),
        );
      if (keyBearing && !covered.has(route.operationId) && !Object.hasOwn(keyFree, route.operationId)) {
        uncovered.push(route.operationId);
      }
    }
    expect(uncovered, 'routes carrying user keys without a row in keyFields').toEqual([]);
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
      } else if (response.status === 404 && field.notFoundOk) {
        // a key naming nothing: fine
      } else if (response.status === 405 && key === '' && field.field.startsWith('path.')) {
        // An empty path segment is no segment: the request names the path above, served with other methods.
      } else if (response.status !== 400) {
        failures.push(`${label} — neither accepted nor a 400`);
      } else if (!field.named.test(fieldOf(response.body.error?.message ?? response.body.message ?? ''))) {
        failures.push(`${label} — a 400 that does not name the field`);
      } else if (/Invalid key in record/.test(response.body.error?.message ?? response.body.message ?? '')) {
        failures.push(`${label} — a 400 that does not say what is wrong with the key`);
      }
    }
    expect(failures).toEqual([]);
  });
});

/**
 * The key-bearing fields of `/api/v1` that write a key (not those that read, delete or filter by
 * one): each refuses a key that does not read as itself as a path, as the README says of
 * `/api/v1` (From MLflow), naming the field. Found from `keyFields`, so a new write row is covered.
 */
const reads = new Set([
  'getMetricHistory',
  'listExperiments',
  'compareRuns',
  'searchRuns',
  'searchRunsPost',
  'deleteRunTag',
  'deleteExperimentTag',
  'listRegisteredModels',
]);
const v1Writes = keyFields.filter((field) => {
  const route = routeList.find((candidate) => candidate.operationId === field.operationId);
  // A version's metadata is free-form JSON, not tags, params or metrics: its keys are its own.
  const written = !reads.has(field.operationId) && field.field !== 'metadata';
  return route !== undefined && (route.dialect ?? 'v1') === 'v1' && written;
});

describe.each(v1Writes.map((field) => [`${field.operationId} ${field.field}`, field] as const))('%s', (_, field) => {
  test('a key that reads as another path is a 400 naming the field', async () => {
    const failures: string[] = [];
    for (const key of ['a/../b', './a', 'a//b', 'a/', '/a', '..a', '.', '..']) {
      const { response } = await field.send(key);
      const message = response.body.error?.message ?? '';
      if (response.status !== 400 || !field.named.test(fieldOf(message))) {
        failures.push(`${JSON.stringify(key)}: ${response.status} ${JSON.stringify(response.body).slice(0, 160)}`);
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

/** MLflow's `[{key, value}]` lists: does `list` hold `key` with `value`, and only once? */
const listHas = (list: Array<{ key: string; value: unknown }> | undefined, key: string, value: unknown) =>
  (list ?? []).filter((entry) => entry.key === key && entry.value === value).length === 1;
const listLacks = (list: Array<{ key: string }> | undefined, key: string) =>
  !(list ?? []).some((entry) => entry.key === key);

/**
 * The field a 400 is about: the parameter MLflow's wording names ("Invalid value ... for parameter
 * 'tags[0].key' supplied: ..."), or else the message itself, which starts with the field.
 */
function fieldOf(message: string): string {
  return /^(?:Missing|Invalid) value .*?parameter '([^']*)'/s.exec(message)?.[1] ?? message;
}

/** A 400's message names `path` of the body (MLflow's messages may leave out the `body.` prefix). */
function namedInBody(path: string): RegExp {
  return new RegExp(`^(body\\.)?${path.replace(/[.[\]]/g, (c) => `\\${c}`)}\\b`);
}

/** The MLflow dialect's key-bearing fields, read back through MLflow's own answers. */
function mlflowKeyFields(): KeyField[] {
  const mlflow = '/api/2.0/mlflow';
  const newMlflowRun = async () =>
    (await api.post(`${mlflow}/runs/create`, { experiment_id: experimentId })).body.run.info.run_id as string;
  const readRun = async (runId: string) => (await api.get(`${mlflow}/runs/get?run_id=${runId}`)).body.run;
  const newExperiment = async (tags: Array<{ key: string; value: string }> = []) =>
    (await api.post(`${mlflow}/experiments/create`, { name: `mlflow-keys-${Math.random()}`, tags })).body
      .experiment_id as string;
  const readExperiment = async (id: string) =>
    (await api.get(`${mlflow}/experiments/get?experiment_id=${id}`)).body.experiment;
  const newModel = async () =>
    (
      await api.post(`${mlflow}/logged-models`, {
        experiment_id: experimentId,
        name: 'm',
        source_run_id: await newMlflowRun(),
      })
    ).body.model.info.model_id as string;
  const readModel = async (id: string) => (await api.get(`${mlflow}/logged-models/${id}`)).body.model;

  /** A run-level write whose key comes back in runs/get. */
  const runWrite = (
    operationId: string,
    field: string,
    path: string,
    request: (runId: string, key: string) => unknown,
    check: (run: any, key: string) => boolean,
  ): KeyField => ({
    operationId,
    field,
    named: namedInBody(field),
    async send(key) {
      const runId = await newMlflowRun();
      const response = await api.post(`${mlflow}/${path}`, request(runId, key));
      return { response, roundTrip: async () => check(await readRun(runId), key) };
    },
  });

  return [
    {
      operationId: 'mlflowCreateExperiment',
      field: 'tags[].key',
      named: namedInBody('tags[0].key'),
      async send(key) {
        const response = await api.post(`${mlflow}/experiments/create`, {
          name: `mlflow-keys-${Math.random()}`,
          tags: [
            { key, value: 'v' },
            { key: 'plain', value: 'p' },
          ],
        });
        return {
          response,
          roundTrip: async () => {
            const tags = (await readExperiment(response.body.experiment_id)).tags;
            return listHas(tags, key, 'v') && listHas(tags, 'plain', 'p');
          },
        };
      },
    },
    ...(['mlflowSearchExperiments', 'mlflowSearchExperimentsGet'] as const).map((operationId): KeyField => ({
      operationId,
      field: 'filter',
      named: /^(query\.|body\.)?filter\b/,
      async send(key) {
        const value = `match-${Math.random()}`;
        const id = await newExperiment([{ key, value }]);
        const filter = `tags.\`${key}\` = '${value}'`;
        const response =
          operationId === 'mlflowSearchExperiments'
            ? await api.post(`${mlflow}/experiments/search`, { filter })
            : await api.get(`${mlflow}/experiments/search?${new URLSearchParams({ filter })}`);
        return {
          response,
          roundTrip: async () => {
            const found: Array<{ experiment_id: string }> = response.body.experiments ?? [];
            // A key the experiment could not hold finds nothing; one it holds finds exactly it.
            return id === undefined ? found.length === 0 : found.length === 1 && found[0]?.experiment_id === id;
          },
        };
      },
    })),
    ...(['mlflowSetExperimentTag', 'mlflowDeleteExperimentTag'] as const).map((operationId): KeyField => ({
      operationId,
      field: 'key',
      named: namedInBody('key'),
      notFoundOk: operationId === 'mlflowDeleteExperimentTag',
      async send(key) {
        const id = await newExperiment([{ key: 'plain', value: 'p' }]);
        const set = await api.post(`${mlflow}/experiments/set-experiment-tag`, {
          experiment_id: id,
          key,
          value: 'v',
        });
        if (operationId === 'mlflowSetExperimentTag') {
          return {
            response: set,
            roundTrip: async () => listHas((await readExperiment(id)).tags, key, 'v'),
          };
        }
        const response = await api.post(`${mlflow}/experiments/delete-experiment-tag`, { experiment_id: id, key });
        return {
          response,
          roundTrip: async () => {
            const tags = (await readExperiment(id)).tags;
            return set.status === 200 && listLacks(tags, key) && listHas(tags, 'plain', 'p');
          },
        };
      },
    })),
    {
      operationId: 'mlflowCreateRun',
      field: 'tags[].key',
      named: namedInBody('tags[0].key'),
      async send(key) {
        const response = await api.post(`${mlflow}/runs/create`, {
          experiment_id: experimentId,
          tags: [
            { key, value: 'v' },
            { key: 'plain', value: 'p' },
          ],
        });
        return {
          response,
          roundTrip: async () => {
            const tags = (await readRun(response.body.run.info.run_id)).data.tags;
            return listHas(tags, key, 'v') && listHas(tags, 'plain', 'p');
          },
        };
      },
    },
    runWrite(
      'mlflowLogMetric',
      'key',
      'runs/log-metric',
      (run_id, key) => ({ run_id, key, value: 2, timestamp: 1, step: 1 }),
      (run, key) => listHas(run.data.metrics, key, 2),
    ),
    runWrite(
      'mlflowLogParam',
      'key',
      'runs/log-parameter',
      (run_id, key) => ({ run_id, key, value: 'v' }),
      (run, key) => listHas(run.data.params, key, 'v'),
    ),
    runWrite(
      'mlflowSetTag',
      'key',
      'runs/set-tag',
      (run_id, key) => ({ run_id, key, value: 'v' }),
      (run, key) => listHas(run.data.tags, key, 'v'),
    ),
    {
      operationId: 'mlflowDeleteTag',
      field: 'key',
      named: namedInBody('key'),
      notFoundOk: true,
      async send(key) {
        const runId = await newMlflowRun();
        const set = await api.post(`${mlflow}/runs/set-tag`, { run_id: runId, key, value: 'v' });
        await api.post(`${mlflow}/runs/set-tag`, { run_id: runId, key: 'plain', value: 'p' });
        const response = await api.post(`${mlflow}/runs/delete-tag`, { run_id: runId, key });
        return {
          response,
          roundTrip: async () => {
            const tags = (await readRun(runId)).data.tags;
            return set.status === 200 && listLacks(tags, key) && listHas(tags, 'plain', 'p');
          },
        };
      },
    },
    runWrite(
      'mlflowLogBatch',
      'metrics[0].key',
      'runs/log-batch',
      (run_id, key) => ({
        run_id,
        metrics: [
          { key, value: 2, timestamp: 1, step: 1 },
          { key: 'plain', value: 3, timestamp: 1, step: 1 },
        ],
      }),
      (run, key) => listHas(run.data.metrics, key, 2) && listHas(run.data.metrics, 'plain', 3),
    ),
    runWrite(
      'mlflowLogBatch',
      'params[0].key',
      'runs/log-batch',
      (run_id, key) => ({
        run_id,
        params: [
          { key, value: 'v' },
          { key: 'plain', value: 'p' },
        ],
      }),
      (run, key) => listHas(run.data.params, key, 'v') && listHas(run.data.params, 'plain', 'p'),
    ),
    runWrite(
      'mlflowLogBatch',
      'tags[0].key',
      'runs/log-batch',
      (run_id, key) => ({
        run_id,
        tags: [
          { key, value: 'v' },
          { key: 'plain', value: 'p' },
        ],
      }),
      (run, key) => listHas(run.data.tags, key, 'v') && listHas(run.data.tags, 'plain', 'p'),
    ),
    runWrite(
      'mlflowLogInputs',
      'datasets[0].tags[0].key',
      'runs/log-inputs',
      (run_id, key) => ({
        run_id,
        datasets: [
          {
            tags: [{ key, value: 'v' }],
            dataset: { name: 'd', digest: `d${Math.random()}`.slice(0, 30), source_type: 'local', source: '{}' },
          },
        ],
      }),
      (run, key) => listHas(run.inputs.dataset_inputs[0]?.tags, key, 'v'),
    ),
    {
      operationId: 'mlflowSearchRuns',
      field: 'filter+order_by',
      named: /^(body\.)?(filter|order_by)\b/,
      async send(key) {
        const id = await newExperiment();
        const runId = (await api.post(`${mlflow}/runs/create`, { experiment_id: id })).body.run.info.run_id;
        const logged = await api.post(`${mlflow}/runs/log-batch`, {
          run_id: runId,
          params: [{ key, value: 'v' }],
          tags: [{ key, value: 'v' }],
          metrics: [{ key, value: 2, timestamp: 1, step: 1 }],
        });
        const quoted = `\`${key.replace(/[\\`]/g, (c) => `\\${c}`)}\``;
        const response = await api.post(`${mlflow}/runs/search`, {
          experiment_ids: [id],
          filter: `params.${quoted} = 'v' AND tags.${quoted} = 'v' AND metrics.${quoted} = 2`,
          order_by: [`metrics.${quoted} DESC`],
        });
        return {
          response,
          roundTrip: async () => {
            const runs: Array<{ info: { run_id: string }; data: { params: Array<{ key: string; value: string }> } }> =
              response.body.runs ?? [];
            if (logged.status !== 200) return runs.length === 0;
            const [run] = runs;
            return runs.length === 1 && run?.info.run_id === runId && listHas(run?.data.params, key, 'v');
          },
        };
      },
    },
    ...(
      [
        ['mlflowGetMetricHistory', `${mlflow}/metrics/get-history`, 'run_id'],
        ['mlflowGetMetricHistoryBulkInterval', `${mlflow}/metrics/get-history-bulk-interval`, 'run_ids'],
        ['mlflowGetMetricHistoryBulk', '/ajax-api/2.0/mlflow/metrics/get-history-bulk', 'run_id'],
      ] as const
    ).map(([operationId, path, runField]): KeyField => ({
      operationId,
      field: 'query.metric_key',
      named: /^(query\.)?metric_key\b/,
      notFoundOk: true,
      async send(key) {
        const runId = await newMlflowRun();
        const logged = await api.post(`${mlflow}/runs/log-metric`, {
          run_id: runId,
          key,
          value: 2,
          timestamp: 1,
          step: 1,
        });
        const query = new URLSearchParams({ [runField]: runId, metric_key: key });
        const response = await api.get(`${path}?${query}`);
        return {
          response,
          roundTrip: async () => {
            const metrics: Array<{ key: string; value: number }> = response.body.metrics ?? [];
            if (logged.status !== 200) return metrics.length === 0;
            return metrics.length === 1 && metrics[0]?.key === key && metrics[0].value === 2;
          },
        };
      },
    })),
    ...(['tags', 'params'] as const).map((list): KeyField => ({
      operationId: 'mlflowCreateLoggedModel',
      field: `${list}[].key`,
      named: namedInBody(`${list}[0].key`),
      async send(key) {
        const response = await api.post(`${mlflow}/logged-models`, {
          experiment_id: experimentId,
          name: 'm',
          source_run_id: await newMlflowRun(),
          [list]: [
            { key, value: 'v' },
            { key: 'plain', value: 'p' },
          ],
        });
        return {
          response,
          roundTrip: async () => {
            const model = await readModel(response.body.model.info.model_id);
            const entries = list === 'tags' ? model.info.tags : model.data.params;
            return listHas(entries, key, 'v') && listHas(entries, 'plain', 'p');
          },
        };
      },
    })),
    ...(['mlflowSetLoggedModelTags', 'mlflowLogLoggedModelParams'] as const).map((operationId): KeyField => {
      const list = operationId === 'mlflowSetLoggedModelTags' ? 'tags' : 'params';
      return {
        operationId,
        field: `${list}[].key`,
        named: namedInBody(`${list}[0].key`),
        async send(key) {
          const id = await newModel();
          // MLflow sets a logged model's tags with PATCH and logs its params with POST.
          const response = await (list === 'tags' ? api.patch : api.post)(`${mlflow}/logged-models/${id}/${list}`, {
            [list]: [
              { key, value: 'v' },
              { key: 'plain', value: 'p' },
            ],
          });
          return {
            response,
            roundTrip: async () => {
              const model = await readModel(id);
              const entries = list === 'tags' ? model.info.tags : model.data.params;
              return listHas(entries, key, 'v') && listHas(entries, 'plain', 'p');
            },
          };
        },
      };
    }),
    {
      operationId: 'mlflowDeleteLoggedModelTag',
      field: 'path.tag_key',
      named: /^(path\.)?tag_key\b/,
      notFoundOk: true,
      async send(key) {
        const id = await newModel();
        const set = await api.patch(`${mlflow}/logged-models/${id}/tags`, {
          tags: [
            { key, value: 'v' },
            { key: 'plain', value: 'p' },
          ],
        });
        const response = await api.delete(`${mlflow}/logged-models/${id}/tags/${encodeURIComponent(key)}`);
        return {
          response,
          roundTrip: async () => {
            const tags = (await readModel(id)).info.tags;
            return set.status === 200 && listLacks(tags, key) && listHas(tags, 'plain', 'p');
          },
        };
      },
    },
  ];
}
