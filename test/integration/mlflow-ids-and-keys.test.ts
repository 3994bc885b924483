import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { dialectOf } from '../../shared/http/route-definition.ts';
import { routeList } from '../../shared/http/route-table.ts';
import { pathSafeKey } from '../../shared/http/schemas/text.ts';
import { type ApiResponse, useTestStack } from '../support/local-api.ts';
import { mlflowRequestFor } from '../support/mlflow-requests.ts';
import { seededRandom } from '../support/seeded-random.ts';

/**
 * Experiment ids and written keys on the MLflow API answered as MLflow 3.17.2's server answers
 * them (checked against it, README "From MLflow"), generated over the route table:
 *  - an experiment id that is neither an integer (MLflow's ids) nor a Stratus id is a 400
 *    INVALID_PARAMETER_VALUE naming the field, on every route that takes one; a well-formed id
 *    with no experiment is a 404 RESOURCE_DOES_NOT_EXIST, or an empty search.
 *  - a tag, param or metric key is refused where MLflow's server refuses it (its name rule:
 *    characters, and the same name when read as a path), in its words and naming the field, and
 *    taken where MLflow takes it; `/api/v1` refuses only the keys that change when read as a path.
 */
const local = useTestStack();
const mlflow = '/api/2.0/mlflow';

/** The MLflow routes that take an experiment id, found by sending each route's example request. */
const marker = '424242';
const expectedIdRoutes = [
  'mlflowCreateLoggedModel',
  'mlflowCreateRun',
  'mlflowDeleteExperiment',
  'mlflowDeleteExperimentTag',
  'mlflowGetExperiment',
  'mlflowRestoreExperiment',
  'mlflowSearchLoggedModels',
  'mlflowSearchRuns',
  'mlflowSetExperimentTag',
  'mlflowUpdateExperiment',
];
const idRoutes = routeList.filter((route) => {
  if (dialectOf(route) !== 'mlflow') return false;
  const { path, body } = mlflowRequestFor(route, { experimentId: marker, runId: 'r' });
  return path.includes(`experiment_id=${marker}`) || JSON.stringify(body ?? null).includes(`"${marker}"`);
});

/** Ids MLflow refuses as not integers, and that are not Stratus ids either. */
const malformedIds = [
  'abc',
  '12abc',
  '1.5',
  '0x1',
  '1e3',
  'NaN',
  ' ',
  '1 2',
  '0123456789ABCDEF0123456789ABCDEF', // a Stratus id is lowercase
  '0123456789abcdef0123456789abcde', // 31 characters
  'm-0123456789abcdef0123456789abcdef', // a logged model's id
  '٣', // an Arabic-Indic digit: Python's int() takes it, MLflow then finds nothing
];
/** Well-formed ids that name no experiment. */
const unknownIds = ['424242', '-1', '0123456789abcdef0123456789abcdef'];
/** Searches: MLflow's server finds nothing in an experiment that is not there, and says so with an empty answer. */
const searches = new Set(['mlflowSearchRuns', 'mlflowSearchLoggedModels']);

async function send(operationId: string, id: string, runId: string): Promise<ApiResponse> {
  const route = idRoutes.find((candidate) => candidate.operationId === operationId);
  if (!route) throw new Error(`no route ${operationId}`);
  const { path, body } = mlflowRequestFor(route, { experimentId: marker, runId });
  const query = path.replace(`experiment_id=${marker}`, `experiment_id=${encodeURIComponent(id)}`);
  const sent =
    body === undefined ? undefined : JSON.parse(JSON.stringify(body).replaceAll(`"${marker}"`, JSON.stringify(id)));
  return local.api.call(route.method, query, route.method === 'GET' ? undefined : sent);
}

describe('experiment ids on the MLflow API', () => {
  test('the routes that take one are found in the route table', () => {
    expect(idRoutes.map((route) => route.operationId).sort()).toEqual(expectedIdRoutes);
  });

  test.each(expectedIdRoutes)(
    '%s: an id that is neither an integer nor a Stratus id is a 400 naming the field',
    async (operationId) => {
      const runId = (await local.api.post('/api/v1/runs', { experiment_name: 'ids' })).body.run_id;
      const failures: string[] = [];
      for (const id of malformedIds) {
        const response = await send(operationId, id, runId);
        const message: string = response.body?.message ?? '';
        if (
          response.status !== 400 ||
          response.body?.error_code !== 'INVALID_PARAMETER_VALUE' ||
          !/for parameter 'experiment_ids?(\[0\])?' supplied/.test(message)
        ) {
          failures.push(`${JSON.stringify(id)}: ${response.status} ${JSON.stringify(response.body)}`);
        }
      }
      expect(failures).toEqual([]);
    },
  );

  test.each(expectedIdRoutes)(
    '%s: a well-formed id of no experiment is a 404, or an empty search',
    async (operationId) => {
      const runId = (await local.api.post('/api/v1/runs', { experiment_name: 'ids' })).body.run_id;
      const failures: string[] = [];
      for (const id of unknownIds) {
        const response = await send(operationId, id, runId);
        const expected = searches.has(operationId)
          ? response.status === 200 &&
            Object.keys(response.body).every((key) => (response.body[key] ?? []).length === 0)
          : response.status === 404 &&
            response.body?.error_code === 'RESOURCE_DOES_NOT_EXIST' &&
            response.body?.message === `No Experiment with id=${id} exists`;
        if (!expected) failures.push(`${JSON.stringify(id)}: ${response.status} ${JSON.stringify(response.body)}`);
      }
      expect(failures).toEqual([]);
    },
  );

  test("an integer is read as MLflow's int() reads it: 00, +0, -0 and ' 0 ' are the Default experiment, 007 is 7", async () => {
    const defaultRun = (await local.api.post(`${mlflow}/runs/create`, { experiment_id: '0' })).body.run.info.run_id;
    for (const id of ['00', '+0', '-0', ' 0 ', '\t0']) {
      const got = await local.api.get(`${mlflow}/experiments/get?experiment_id=${encodeURIComponent(id)}`);
      expect([got.status, got.body.experiment?.experiment_id], JSON.stringify(id)).toEqual([200, '0']);
      const created = await local.api.post(`${mlflow}/runs/create`, { experiment_id: id });
      expect([created.status, created.body.run?.info.experiment_id], JSON.stringify(id)).toEqual([200, '0']);
      const found = await local.api.post(`${mlflow}/runs/search`, { experiment_ids: [id] });
      expect(
        found.body.runs.map((run: any) => run.info.run_id),
        JSON.stringify(id),
      ).toContain(defaultRun);
    }
    const seven = await local.api.get(`${mlflow}/experiments/get?experiment_id=007`);
    expect([seven.status, seven.body.message]).toEqual([404, 'No Experiment with id=7 exists']);
  });

  test("a search of a known and an unknown experiment finds the known one's runs", async () => {
    const run = await local.api.post('/api/v1/runs', { experiment_name: 'searched' });
    const experimentId = run.body.experiment_id as string;
    const response = await local.api.post(`${mlflow}/runs/search`, { experiment_ids: ['424242', experimentId] });
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    expect(response.body.runs.map((found: any) => found.info.run_id)).toEqual([run.body.run_id]);
  });
});

interface ReferenceCase {
  key: string;
  normpath: string;
  mlflow: string | null;
}
const reference: ReferenceCase[] = JSON.parse(
  readFileSync(new URL('../support/mlflow-key-names-reference.json', import.meta.url), 'utf8'),
);
/** Every hand-picked key (the first ones) and a seeded sample of the generated ones; none blank (refused since before). */
const random = seededRandom(29);
const keys = reference
  .filter((c, index) => /\S/.test(c.key) && (index < 41 || random() < 0.08))
  .map((c) => ({ key: c.key, mlflow: c.mlflow }));

/** A key-bearing field that writes: send `key` in it. */
interface WriteField {
  label: string;
  /** The parameter MLflow's words name (`key`, `tags[0].key`). */
  parameter: string;
  send(key: string, runId: string, experimentId: string): Promise<ApiResponse>;
}
const metric = (key: string) => ({ key, value: 1, timestamp: 1, step: 0 });

/** Where MLflow's server checks the key as a name (mlflow/utils/validation.py callers in its stores). */
const mlflowChecked: WriteField[] = [
  {
    label: 'log-metric',
    parameter: 'key',
    send: (key, run_id) => local.api.post(`${mlflow}/runs/log-metric`, { run_id, ...metric(key) }),
  },
  {
    label: 'log-parameter',
    parameter: 'key',
    send: (key, run_id) => local.api.post(`${mlflow}/runs/log-parameter`, { run_id, key, value: '1' }),
  },
  {
    label: 'set-tag',
    parameter: 'key',
    send: (key, run_id) => local.api.post(`${mlflow}/runs/set-tag`, { run_id, key, value: '1' }),
  },
  {
    label: 'log-batch metrics',
    parameter: 'metrics[1].key',
    send: (key, run_id) =>
      local.api.post(`${mlflow}/runs/log-batch`, { run_id, metrics: [metric('plain'), metric(key)] }),
  },
  {
    label: 'log-batch params',
    parameter: 'params[0].key',
    send: (key, run_id) => local.api.post(`${mlflow}/runs/log-batch`, { run_id, params: [{ key, value: '1' }] }),
  },
  {
    label: 'log-batch tags',
    parameter: 'tags[0].key',
    send: (key, run_id) => local.api.post(`${mlflow}/runs/log-batch`, { run_id, tags: [{ key, value: '1' }] }),
  },
  {
    label: 'set-experiment-tag',
    parameter: 'key',
    send: (key, _, experiment_id) =>
      local.api.post(`${mlflow}/experiments/set-experiment-tag`, { experiment_id, key, value: '1' }),
  },
  {
    label: 'experiments/create tags',
    parameter: 'tags[0].key',
    send: (key) =>
      local.api.post(`${mlflow}/experiments/create`, { name: `keys-${Math.random()}`, tags: [{ key, value: '1' }] }),
  },
  {
    label: 'registered-models/create tags',
    parameter: 'tags[0].key',
    send: (key) =>
      local.api.post(`${mlflow}/registered-models/create`, {
        name: `keys-${Math.random()}`,
        tags: [{ key, value: '1' }],
      }),
  },
];

/** Where MLflow's server takes any key: a new run's tags, a logged model's tags and params. */
const mlflowUnchecked: WriteField[] = [
  {
    label: 'runs/create tags',
    parameter: 'tags[0].key',
    send: (key, _, experiment_id) =>
      local.api.post(`${mlflow}/runs/create`, { experiment_id, tags: [{ key, value: '1' }] }),
  },
  {
    label: 'logged-models tags and params',
    parameter: 'tags[0].key',
    send: (key, source_run_id, experiment_id) =>
      local.api.post(`${mlflow}/logged-models`, {
        experiment_id,
        source_run_id,
        tags: [{ key, value: '1' }],
        params: [{ key, value: '1' }],
      }),
  },
];

/** `/api/v1`'s key-bearing writes: refused only when the key changes when read as a path. */
const v1Writes: WriteField[] = [
  {
    label: 'v1 params',
    parameter: 'body.params.',
    send: (key, runId) => local.api.post(`/api/v1/runs/${runId}/params`, { params: { [key]: '1' } }),
  },
  {
    label: 'v1 tags',
    parameter: 'body.tags.',
    send: (key, runId) => local.api.post(`/api/v1/runs/${runId}/tags`, { tags: { [key]: '1' } }),
  },
  {
    label: 'v1 metric_name',
    parameter: 'body.metric_name',
    send: (key, runId) => local.api.post(`/api/v1/runs/${runId}/metrics`, { metric_name: key, metric_value: 1 }),
  },
  {
    label: 'v1 metrics[].key',
    parameter: 'body.metrics[0].key',
    send: (key, runId) => local.api.post(`/api/v1/runs/${runId}/metrics`, { metrics: [{ key, value: 1 }] }),
  },
  {
    label: 'v1 batch',
    parameter: 'body.params.',
    send: (key, runId) => local.api.post(`/api/v1/runs/${runId}/batch`, { params: { [key]: '1' } }),
  },
  {
    label: 'v1 experiment tags',
    parameter: 'body.tags.',
    send: (key) =>
      local.api.post('/api/v1/experiments', { experiment_name: `keys-${Math.random()}`, tags: { [key]: '1' } }),
  },
  {
    label: 'v1 registered model tags',
    parameter: 'body.tags.',
    send: (key) => local.api.post('/api/v1/models', { name: `keys-${Math.random()}`, tags: { [key]: '1' } }),
  },
];

async function freshRun() {
  const run = await local.api.post('/api/v1/runs', { experiment_name: `keys-${Math.random()}` });
  expect(run.status).toBe(201);
  return { runId: run.body.run_id as string, experimentId: run.body.experiment_id as string };
}

describe('written keys', () => {
  test('the sample holds keys MLflow takes, refuses for characters and refuses as paths', () => {
    expect(keys.filter((k) => k.mlflow === null).length).toBeGreaterThan(10);
    expect(keys.filter((k) => k.mlflow?.startsWith('Names may only')).length).toBeGreaterThan(10);
    expect(keys.filter((k) => k.mlflow?.startsWith('Names may be treated')).length).toBeGreaterThan(10);
  });

  test.each(mlflowChecked.map((field) => [field.label, field] as const))(
    'MLflow %s: as MLflow, in its words',
    async (_, field) => {
      const failures: string[] = [];
      const { runId, experimentId } = await freshRun();
      for (const { key, mlflow: reason } of keys) {
        const response = await field.send(key, runId, experimentId);
        const expected =
          reason === null
            ? response.status === 200
            : response.status === 400 &&
              response.body.error_code === 'INVALID_PARAMETER_VALUE' &&
              response.body.message ===
                `Invalid value ${JSON.stringify(key)} for parameter '${field.parameter}' supplied: ${reason}`;
        if (!expected) failures.push(`${JSON.stringify(key)}: ${response.status} ${JSON.stringify(response.body)}`);
      }
      expect(failures).toEqual([]);
    },
  );

  test.each(mlflowUnchecked.map((field) => [field.label, field] as const))(
    'MLflow %s: any key, as MLflow',
    async (_, field) => {
      const failures: string[] = [];
      const { runId, experimentId } = await freshRun();
      for (const { key } of keys) {
        const response = await field.send(key, runId, experimentId);
        if (response.status !== 200)
          failures.push(`${JSON.stringify(key)}: ${response.status} ${JSON.stringify(response.body)}`);
      }
      expect(failures).toEqual([]);
    },
  );

  test.each(v1Writes.map((field) => [field.label, field] as const))(
    '%s: refused only when it changes as a path',
    async (_, field) => {
      const failures: string[] = [];
      const { runId, experimentId } = await freshRun();
      for (const { key } of keys) {
        const response = await field.send(key, runId, experimentId);
        const message: string = response.body?.error?.message ?? '';
        const expected = pathSafeKey.test(key)
          ? response.status >= 200 && response.status < 300
          : response.status === 400 && message.startsWith(field.parameter) && /path|'\.'/.test(message);
        if (!expected) failures.push(`${JSON.stringify(key)}: ${response.status} ${JSON.stringify(response.body)}`);
      }
      expect(failures).toEqual([]);
    },
  );

  test('a key the rules refuse, held from before, stays deletable on both APIs', async () => {
    // A new run's tags take any key (as on MLflow's server), as tags written before the rules did.
    const { experimentId } = await freshRun();
    const created = await local.api.post(`${mlflow}/runs/create`, {
      experiment_id: experimentId,
      tags: [
        { key: 'a/../b', value: '1' },
        { key: '/x', value: '2' },
        { key: 'kept', value: '3' },
      ],
    });
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    const runId = created.body.run.info.run_id;
    const deleted = await local.api.post(`${mlflow}/runs/delete-tag`, { run_id: runId, key: 'a/../b' });
    expect(deleted.status, JSON.stringify(deleted.body)).toBe(200);
    const v1Deleted = await local.api.delete(`/api/v1/runs/${runId}/tags/${encodeURIComponent('/x')}`);
    expect(v1Deleted.status, JSON.stringify(v1Deleted.body)).toBe(200);
    expect((await local.api.get(`/api/v1/runs/${runId}`)).body.tags).toEqual({ kept: '3' });
  });
});

describe('runs/update status', () => {
  // MLflow's RunStatus: a name, or its number as protobuf's JSON reader takes enums (1 RUNNING ... 5 KILLED).
  const names = ['RUNNING', 'SCHEDULED', 'FINISHED', 'FAILED', 'KILLED'];
  const shown = (name: string) => (name === 'SCHEDULED' ? 'RUNNING' : name); // Stratus has no queue
  const taken: Array<[unknown, string]> = names.flatMap((name, index): Array<[unknown, string]> => [
    [name, shown(name)],
    [index + 1, shown(name)],
    [String(index + 1), shown(name)],
  ]);
  // MLflow answers an out-of-range number with a 400 naming `status`; an unknown name it ignores (a 200
  // leaving the status as it was), where Stratus answers a 400 (README, "From MLflow").
  const refused: unknown[] = [0, 6, 9, -1, '0', 'BOGUS', 'finished', 'Finished', '', ' FINISHED', 1.5, true];

  test('each name and number MLflow takes sets that status', async () => {
    const { runId } = await freshRun();
    const failures: string[] = [];
    for (const [status, expected] of taken) {
      const response = await local.api.post(`${mlflow}/runs/update`, { run_id: runId, status });
      if (response.status !== 200 || response.body.run_info?.status !== expected) {
        failures.push(`${JSON.stringify(status)}: ${response.status} ${JSON.stringify(response.body)}`);
      }
    }
    expect(failures).toEqual([]);
  });

  test('anything else is a 400 naming status, and the run is unchanged', async () => {
    const { runId } = await freshRun();
    const failures: string[] = [];
    for (const status of refused) {
      const response = await local.api.post(`${mlflow}/runs/update`, { run_id: runId, status });
      if (
        response.status !== 400 ||
        response.body.error_code !== 'INVALID_PARAMETER_VALUE' ||
        !response.body.message.includes("for parameter 'status' supplied")
      ) {
        failures.push(`${JSON.stringify(status)}: ${response.status} ${JSON.stringify(response.body)}`);
      }
    }
    expect(failures).toEqual([]);
    expect((await local.api.get(`/api/v1/runs/${runId}`)).body.status).toBe('RUNNING');
  });

  test("an end_time before the run's start_time is a 400 naming end_time, and the run goes on", async () => {
    // MLflow's server stores it (a 200, and a run that ends before it starts); README, "From MLflow".
    const { runId } = await freshRun();
    const started: number = (await local.api.get(`/api/v1/runs/${runId}`)).body.start_time;
    const response = await local.api.post(`${mlflow}/runs/update`, {
      run_id: runId,
      status: 'FINISHED',
      end_time: started - 1,
    });
    expect(response.status, JSON.stringify(response.body)).toBe(400);
    expect(response.body.error_code).toBe('INVALID_PARAMETER_VALUE');
    expect(response.body.message).toBe(`end_time ${started - 1} is before the run's start_time ${started}`);
    expect((await local.api.get(`/api/v1/runs/${runId}`)).body.status).toBe('RUNNING');
    const ended = await local.api.post(`${mlflow}/runs/update`, {
      run_id: runId,
      status: 'FINISHED',
      end_time: started,
    });
    expect(ended.body.run_info).toMatchObject({ status: 'FINISHED', end_time: started });
  });

  test("an ended run's end_time moves when sent again, with its status or alone, as MLflow's store sets it", async () => {
    const { runId } = await freshRun();
    const started: number = (await local.api.get(`/api/v1/runs/${runId}`)).body.start_time;
    const update = (body: Record<string, unknown>) =>
      local.api.post(`${mlflow}/runs/update`, { run_id: runId, ...body });
    await update({ status: 'FAILED', end_time: started + 10 });
    const same = await update({ status: 'FAILED', end_time: started + 20 });
    expect(same.body.run_info).toMatchObject({ status: 'FAILED', end_time: started + 20 });
    const alone = await update({ end_time: started + 30 });
    expect(alone.body.run_info).toMatchObject({ status: 'FAILED', end_time: started + 30 });
    expect((await local.api.get(`/api/v1/runs/${runId}`)).body.end_time).toBe(started + 30);
    const before = await update({ end_time: started - 1 });
    expect([before.status, before.body.error_code]).toEqual([400, 'INVALID_PARAMETER_VALUE']);
    expect((await local.api.get(`/api/v1/runs/${runId}`)).body.end_time).toBe(started + 30);
  });
});
