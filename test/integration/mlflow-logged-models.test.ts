import { beforeAll, describe, expect, test } from 'vitest';
import { useTestStack } from '../support/local-api.ts';

/**
 * MLflow 3's logged models carry the metrics logged for them
 * (`log_metric(..., model_id=)` and log-batch metrics with a model_id): the
 * latest point of each key per dataset, shown by get and searched and ordered
 * by search, alongside params, tags and attributes. Each search answer is
 * checked against a plain evaluation of the models as written here.
 */
const local = useTestStack();
const mlflow = (path: string, body: unknown) => local.api.post(`/api/2.0/mlflow/${path}`, body);

let experimentId: string;
let runId: string;

interface Written {
  id: string;
  name: string;
  params: Record<string, string>;
  tags: Record<string, string>;
  /** The latest value per key, across datasets. */
  acc?: number;
  loss?: number;
}
const models: Written[] = [];

async function logged(name: string, params: Record<string, string>, tags: Record<string, string>) {
  const response = await mlflow('logged-models', {
    experiment_id: experimentId,
    name,
    source_run_id: runId,
    params: Object.entries(params).map(([key, value]) => ({ key, value })),
    tags: Object.entries(tags).map(([key, value]) => ({ key, value })),
  });
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  const model: Written = { id: response.body.model.info.model_id, name, params, tags };
  models.push(model);
  return model;
}

beforeAll(async () => {
  const experiment = await mlflow('experiments/create', { name: `logged-models-${Date.now()}` });
  experimentId = experiment.body.experiment_id;
  const run = await mlflow('runs/create', { experiment_id: experimentId });
  runId = run.body.run.info.run_id;
  const accs = [0.5, 0.9, 0.7, undefined, 0.9];
  for (const [i, acc] of accs.entries()) {
    const model = await logged(`model-${i}`, { depth: String(i % 3) }, i % 2 ? { stage: 'candidate' } : {});
    if (acc === undefined) continue;
    // An earlier, better value first: the model keeps the latest.
    const early = await mlflow('runs/log-metric', {
      run_id: runId,
      key: 'acc',
      value: 0.99,
      step: 0,
      timestamp: 1000,
      model_id: model.id,
    });
    expect(early.status, JSON.stringify(early.body)).toBe(200);
    const batch = await mlflow('runs/log-batch', {
      run_id: runId,
      metrics: [
        {
          key: 'acc',
          value: acc,
          step: 1,
          timestamp: 2000,
          model_id: model.id,
          dataset_name: 'eval',
          dataset_digest: 'e1',
        },
        { key: 'loss', value: 1 - acc, step: 1, timestamp: 2000, model_id: model.id },
      ],
    });
    expect(batch.status, JSON.stringify(batch.body)).toBe(200);
    model.acc = acc;
    model.loss = 1 - acc;
  }
});

async function search(body: Record<string, unknown>): Promise<string[]> {
  const ids: string[] = [];
  let token: string | undefined;
  do {
    const response = await mlflow('logged-models/search', {
      experiment_ids: [experimentId],
      max_results: 2,
      ...body,
      ...(token ? { page_token: token } : {}),
    });
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    ids.push(...response.body.models.map((model: { info: { model_id: string } }) => model.info.model_id));
    token = response.body.next_page_token;
  } while (token);
  return ids;
}

const idsOf = (chosen: Written[]) => chosen.map((model) => model.id);
/** MLflow's tie-break: newest first (models were created in order). */
const newestFirst = (chosen: Written[]) => [...chosen].reverse();

describe('logged model metrics', () => {
  test('get shows the latest point of each key, per dataset, with the run that logged it', async () => {
    const model = models[1] as Written;
    const response = await local.api.get(`/api/2.0/mlflow/logged-models/${model.id}`);
    expect(response.status).toBe(200);
    const metrics = response.body.model.data.metrics as Array<Record<string, unknown>>;
    expect(metrics).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ key: 'acc', value: 0.99, step: 0, run_id: runId, model_id: model.id }),
        expect.objectContaining({ key: 'acc', value: 0.9, step: 1, dataset_name: 'eval', dataset_digest: 'e1' }),
        expect.objectContaining({ key: 'loss', value: 1 - 0.9, step: 1 }),
      ]),
    );
    expect(metrics).toHaveLength(3);
    // A point older than the slot's holds nothing back and changes nothing.
    await mlflow('runs/log-metric', {
      run_id: runId,
      key: 'loss',
      value: 5,
      step: 0,
      timestamp: 1,
      model_id: model.id,
    });
    const again = await local.api.get(`/api/2.0/mlflow/logged-models/${model.id}`);
    expect(again.body.model.data.metrics.find((metric: { key: string }) => metric.key === 'loss').value).toBe(1 - 0.9);
  });

  test('every double is kept exactly, those DynamoDB numbers cannot hold too', async () => {
    // Non-finite values (MLflow's JSON spells them as strings), integers past 2^53, extremes, -0.
    const values = ['NaN', 'Infinity', '-Infinity', -5.8127e16, 2 ** 60 + 2 ** 8, 1e300, -5e-324, -0, 0.1 + 0.2];
    // An experiment of its own, so the searches below see only the models they expect.
    const experiment = await mlflow('experiments/create', { name: `logged-model-extremes-${Date.now()}` });
    const run = await mlflow('runs/create', { experiment_id: experiment.body.experiment_id });
    const created = await mlflow('logged-models', {
      experiment_id: experiment.body.experiment_id,
      name: 'extremes',
      source_run_id: run.body.run.info.run_id,
    });
    const model = { id: created.body.model.info.model_id as string, runId: run.body.run.info.run_id as string };
    for (const [i, value] of values.entries()) {
      const response = await mlflow('runs/log-metric', {
        run_id: model.runId,
        key: `v${i}`,
        value,
        step: 0,
        timestamp: 1000,
        model_id: model.id,
      });
      expect(response.status, `${value}: ${JSON.stringify(response.body)}`).toBe(200);
    }
    const batch = await mlflow('runs/log-batch', {
      run_id: model.runId,
      metrics: values.map((value, i) => ({ key: `b${i}`, value, step: 0, timestamp: 1000, model_id: model.id })),
    });
    expect(batch.status, JSON.stringify(batch.body)).toBe(200);
    const got = await local.api.get(`/api/2.0/mlflow/logged-models/${model.id}`);
    const byKey = new Map<string, unknown>(
      (got.body.model.data.metrics as Array<{ key: string; value: unknown }>).map((metric) => [
        metric.key,
        metric.value,
      ]),
    );
    const sent = (value: string | number) => (typeof value === 'string' ? value : Object.is(value, -0) ? 0 : value);
    for (const [i, value] of values.entries()) {
      expect(byKey.get(`v${i}`), `v${i}`).toEqual(sent(value));
      expect(byKey.get(`b${i}`), `b${i}`).toEqual(sent(value));
    }
  });

  test('a metric for a model that does not exist is RESOURCE_DOES_NOT_EXIST', async () => {
    const response = await mlflow('runs/log-metric', {
      run_id: runId,
      key: 'acc',
      value: 1,
      timestamp: 1,
      model_id: 'm-00000000000000000000000000000000',
    });
    expect(response.status).toBe(404);
    expect(response.body.error_code).toBe('RESOURCE_DOES_NOT_EXIST');
  });

  // As MLflow 3.17's server answers it (found by sending both servers the same request).
  test('removing a tag the model does not have is RESOURCE_DOES_NOT_EXIST in MLflow words; one it has goes', async () => {
    // Not one of `models`, which the searches below are checked against (and deleted before them).
    const created = await mlflow('logged-models', {
      experiment_id: experimentId,
      name: 'tag-removal',
      source_run_id: runId,
      tags: [
        { key: 'kept', value: 'k' },
        { key: 'gone', value: 'g' },
      ],
    });
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    const model = { id: created.body.model.info.model_id as string };
    const tagPath = (key: string) => `/api/2.0/mlflow/logged-models/${model.id}/tags/${key}`;
    const missing = await local.api.delete(tagPath('nokey'));
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({
      error_code: 'RESOURCE_DOES_NOT_EXIST',
      message: `No tag with key 'nokey' found for model with ID '${model.id}'.`,
    });
    expect((await local.api.delete(tagPath('gone'))).status).toBe(200);
    expect((await local.api.delete(tagPath('gone'))).status).toBe(404);
    const read = await local.api.get(`/api/2.0/mlflow/logged-models/${model.id}`);
    expect(read.body.model.info.tags).toEqual([{ key: 'kept', value: 'k' }]);
    expect((await local.api.delete(`/api/2.0/mlflow/logged-models/${model.id}`)).status).toBe(200);
    const noModel = await local.api.delete(
      '/api/2.0/mlflow/logged-models/m-00000000000000000000000000000000/tags/kept',
    );
    expect(noModel.status).toBe(404);
    expect(noModel.body.message).toBe("Logged model with ID 'm-00000000000000000000000000000000' not found.");
  });
});

describe('logged model search', () => {
  test('filters on metrics, params, tags and attributes agree with the models as written', async () => {
    const cases: Array<[string, (model: Written) => boolean]> = [
      ['metrics.acc > 0.8', (model) => model.acc !== undefined],
      ['metrics.loss < 0.2', (model) => model.loss !== undefined && model.loss < 0.2],
      ["params.depth = '1'", (model) => model.params.depth === '1'],
      [
        "tags.stage = 'candidate' AND metrics.loss < 0.4",
        (model) => model.tags.stage === 'candidate' && (model.loss ?? 1) < 0.4,
      ],
      ["name LIKE 'model-%' AND attributes.model_id != 'x'", () => true],
      ["status = 'LOGGED_MODEL_PENDING'", () => true],
      ['creation_time > 0', () => true],
    ];
    for (const [filter, holds] of cases) {
      expect(await search({ filter }), filter).toEqual(idsOf(newestFirst(models.filter(holds))));
    }
  });

  test('datasets restrict metric clauses to the metrics measured on them', async () => {
    const onEval = await search({ filter: 'metrics.acc < 0.8', datasets: [{ dataset_name: 'eval' }] });
    expect(onEval).toEqual(idsOf(newestFirst(models.filter((model) => model.acc !== undefined && model.acc < 0.8))));
    expect(await search({ filter: 'metrics.acc < 0.8', datasets: [{ dataset_name: 'train' }] })).toEqual([]);
  });

  test('order by a metric on a dataset, missing values last, ties newest first; pages continue', async () => {
    const ordered = await search({
      order_by: [{ field_name: 'metrics.acc', ascending: false, dataset_name: 'eval' }],
    });
    const withAcc = models.filter((model) => model.acc !== undefined);
    const byAcc = newestFirst(withAcc).sort((a, b) => (b.acc as number) - (a.acc as number));
    expect(ordered).toEqual([...idsOf(byAcc), ...idsOf(models.filter((model) => model.acc === undefined))]);
    expect(await search({ order_by: [{ field_name: 'name', ascending: true }] })).toEqual(idsOf(models));
  });

  test('bad filters and order keys are 400s naming the field', async () => {
    for (const [body, message] of [
      [{ filter: "metrics.acc > 'x'" }, /metrics.acc compares with a number/],
      [{ filter: 'params.depth > 1' }, /params.depth compares with a quoted string/],
      [{ filter: "colour = 'red'" }, /unknown field 'colour'/],
      [{ filter: 'metrics.acc > 1 OR metrics.acc < 0' }, /expected AND/],
      [{ order_by: [{ field_name: 'params.depth' }] }, /order_by: 'params.depth'/],
      // An unknown attribute is named where it was sent (it was named as the filter).
      [{ order_by: [{ field_name: 'colour' }] }, /^order_by: unknown field 'colour' \(expected metrics\.<key> or/],
    ] as const) {
      const response = await mlflow('logged-models/search', { experiment_ids: [experimentId], ...body });
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(response.body.error_code).toBe('INVALID_PARAMETER_VALUE');
      expect(response.body.message).toMatch(message);
    }
  });
});

describe('a logged model is one item', () => {
  test('params or tags past its 400 KB are INVALID_PARAMETER_VALUE naming them, and the model is left as it was', async () => {
    // 100 params of 6,000 characters is 600 KB: it used to be DynamoDB's ValidationException, a 500 the client retried.
    const model = await logged(`one-item-${Date.now()}`, { seed: '7' }, {});
    const params = Array.from({ length: 100 }, (_, i) => ({ key: `p${i}`, value: 'x'.repeat(6000) }));
    const tooMany = await mlflow(`logged-models/${model.id}/params`, { params });
    expect(tooMany.status, JSON.stringify(tooMany.body)).toBe(400);
    expect(tooMany.body).toMatchObject({ error_code: 'INVALID_PARAMETER_VALUE' });
    expect(tooMany.body.message).toMatch(/params: a logged model's params, tags and latest metrics must fit 400 KB/);
    const tags = Array.from({ length: 100 }, (_, i) => ({ key: `t${i}`, value: 'y'.repeat(8000) }));
    const tagged = await local.api.patch(`/api/2.0/mlflow/logged-models/${model.id}/tags`, { tags });
    expect(tagged.status, JSON.stringify(tagged.body)).toBe(400);
    const created = await mlflow('logged-models', { experiment_id: experimentId, name: 'too-big', params });
    expect(created.status, JSON.stringify(created.body)).toBe(400);
    const read = await local.api.get(`/api/2.0/mlflow/logged-models/${model.id}`);
    expect(read.body.model.data.params).toEqual([{ key: 'seed', value: '7' }]);
    // What fits is taken.
    const fits = await mlflow(`logged-models/${model.id}/params`, { params: params.slice(0, 50) });
    expect(fits.status, JSON.stringify(fits.body)).toBe(200);
  });
});

describe("a logged model's params are immutable, as a run's", () => {
  test('the same value again is taken, another value or a key twice is INVALID_PARAMETER_VALUE and changes nothing', async () => {
    // MLflow's SQL server fails on any key logged again (a 400 BAD_REQUEST quoting its SQL), its file store overwrites.
    const model = await logged(`immutable-${Date.now()}`, { seed: '7' }, {});
    const log = (params: { key: string; value: string }[]) => mlflow(`logged-models/${model.id}/params`, { params });
    const again = await log([{ key: 'seed', value: '7' }]);
    expect(again.status, JSON.stringify(again.body)).toBe(200);
    const changed = await log([
      { key: 'lr', value: '0.1' },
      { key: 'seed', value: '8' },
    ]);
    expect(changed.status).toBe(400);
    expect(changed.body).toEqual({
      error_code: 'INVALID_PARAMETER_VALUE',
      message: `Changing param values is not allowed. Params were already logged='[{'key': 'seed', 'old_value': '7', 'new_value': '8'}]' for logged model ID='${model.id}'.`,
    });
    const twice = await log([
      { key: 'lr', value: '0.1' },
      { key: 'lr', value: '0.2' },
    ]);
    expect(twice.status).toBe(400);
    expect(twice.body.message).toMatch(/^Duplicate parameter keys have been submitted: \['lr'\]/);
    const read = await local.api.get(`/api/2.0/mlflow/logged-models/${model.id}`);
    expect(read.body.model.data.params).toEqual([{ key: 'seed', value: '7' }]);
    const added = await log([
      { key: 'seed', value: '7' },
      { key: 'lr', value: '0.1' },
    ]);
    expect(added.status, JSON.stringify(added.body)).toBe(200);
    const after = await local.api.get(`/api/2.0/mlflow/logged-models/${model.id}`);
    expect(after.body.model.data.params).toHaveLength(2);
    expect(after.body.model.data.params).toEqual(
      expect.arrayContaining([
        { key: 'lr', value: '0.1' },
        { key: 'seed', value: '7' },
      ]),
    );
  });
});

describe('finalizing a logged model', () => {
  test("takes LoggedModelStatus by name or number, as MLflow's server; anything else is a 400 naming status", async () => {
    const model = await logged(`finalized-${Date.now()}`, {}, {});
    const finalize = (status: unknown) =>
      local.api.patch(`/api/2.0/mlflow/logged-models/${model.id}`, { model_id: model.id, status });
    for (const [status, stored] of [
      [2, 'LOGGED_MODEL_READY'],
      ['3', 'LOGGED_MODEL_UPLOAD_FAILED'],
      ['LOGGED_MODEL_PENDING', 'LOGGED_MODEL_PENDING'],
    ] as const) {
      const answer = await finalize(status);
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
      expect(answer.body.model.info.status).toBe(stored);
    }
    // MLflow's server answers a 200 and stores LOGGED_MODEL_STATUS_UNSPECIFIED for each of these.
    for (const status of ['BOGUS', 'LOGGED_MODEL_STATUS_UNSPECIFIED', 0, 99]) {
      const refused = await finalize(status);
      expect(refused.status, JSON.stringify(refused.body)).toBe(400);
      expect(refused.body.error_code).toBe('INVALID_PARAMETER_VALUE');
      expect(refused.body.message).toContain("for parameter 'status' supplied");
    }
    const read = await local.api.get(`/api/2.0/mlflow/logged-models/${model.id}`);
    expect(read.body.model.info.status).toBe('LOGGED_MODEL_PENDING');
  });
});

describe('deleted logged models', () => {
  test("are kept as MLflow's server keeps them: gone from get and search, deleting again is a 200", async () => {
    const experiment = await mlflow('experiments/create', { name: `deleted-models-${Date.now()}` });
    const inExperiment = experiment.body.experiment_id as string;
    const run = (await mlflow('runs/create', { experiment_id: inExperiment })).body.run.info.run_id as string;
    const create = async (name: string) =>
      (await mlflow('logged-models', { experiment_id: inExperiment, name, source_run_id: run })).body.model.info
        .model_id as string;
    const gone = await create('gone');
    const kept = await create('kept');
    const found = async (body: object = {}) =>
      ((await mlflow('logged-models/search', { experiment_ids: [inExperiment], ...body })).body.models ?? []).map(
        (model: { info: { model_id: string } }) => model.info.model_id,
      );
    const model = (id: string) => `/api/2.0/mlflow/logged-models/${id}`;

    expect((await local.api.delete(model(gone))).status).toBe(200);
    const get = await local.api.get(model(gone));
    expect(get.status).toBe(404);
    expect(get.body).toMatchObject({
      error_code: 'RESOURCE_DOES_NOT_EXIST',
      message: `Logged model with ID '${gone}' not found.`,
    });
    expect(await found()).toEqual([kept]);
    expect(await found({ filter: "name = 'gone'" })).toEqual([]);
    expect(await found({ order_by: [{ field_name: 'name' }] })).toEqual([kept]);
    // Again (a client's retry): a 200, as there. One never created is still a 404.
    expect((await local.api.delete(model(gone))).status).toBe(200);
    expect((await local.api.delete(model('m-0123456789abcdef0123456789abcdef'))).status).toBe(404);
    // Writes naming it are taken, as there, and read back by nothing.
    expect((await local.api.patch(`${model(gone)}/tags`, { tags: [{ key: 'k', value: 'v' }] })).status).toBe(200);
    const point = { run_id: run, key: 'acc', value: 0.5, timestamp: 1, model_id: gone };
    expect((await mlflow('runs/log-metric', point)).status).toBe(200);
    expect((await mlflow('runs/outputs', { run_id: run, models: [{ model_id: gone, step: 0 }] })).status).toBe(200);
    expect((await local.api.get(model(gone))).status).toBe(404);
    // Nor can it be registered (MLflow's server cannot find it either, and answers a 500).
    const registered = `from-deleted-${Date.now()}`;
    expect((await mlflow('registered-models/create', { name: registered })).status).toBe(200);
    const version = await mlflow('model-versions/create', {
      name: registered,
      source: `models:/${gone}`,
      model_id: gone,
    });
    expect(version.status, JSON.stringify(version.body)).toBe(404);

    // Purging its run takes it for good.
    expect((await local.api.delete(`/api/v1/runs/${run}`)).status).toBe(200);
    const purge = await local.api.post(`/api/v1/runs/${run}/purge`, {});
    expect(purge.status, JSON.stringify(purge.body)).toBe(200);
    expect((await local.api.delete(model(gone))).status).toBe(404);
    expect((await local.api.delete(model(kept))).status).toBe(404);
  });
});

// As MLflow 3.17.2's server answered side by side: `max_results or 100`, then LIMIT max_results + 1.
describe('a page size of 0 or below, as MLflow reads it', () => {
  test('0 is left unset: the default page', async () => {
    const response = await mlflow('logged-models/search', { experiment_ids: [experimentId], max_results: 0 });
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    expect(response.body.models).toHaveLength(models.length);
  });

  test('below 0 finds nothing, with no token to follow', async () => {
    for (const size of [-1, '-5']) {
      const response = await mlflow('logged-models/search', { experiment_ids: [experimentId], max_results: size });
      expect({ status: response.status, body: response.body }).toEqual({ status: 200, body: { models: [] } });
    }
  });
});

// MLflow 3.17.2's server refuses these characters in a new logged model's name (its name is a
// folder and the <name> of runs:/<run>/<name>); Stratus took them. Its words, as it answered them.
test.each([
  ['a/b', "'a/b'"],
  ['v1.2', "'v1.2'"],
  ['run:7', "'run:7'"],
  ["it's", `"it's"`],
])('a logged model named %j is refused in MLflow words', async (name, quoted) => {
  const response = await mlflow('logged-models', { experiment_id: experimentId, name });
  expect({ status: response.status, body: response.body }).toEqual({
    status: 400,
    body: {
      error_code: 'INVALID_PARAMETER_VALUE',
      message:
        `Invalid model name (${quoted}) provided. Model name must be a non-empty string and cannot contain ` +
        `the following characters: ('/', ':', '.', '%', '"', "'")`,
    },
  });
});
