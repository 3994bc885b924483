import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, test } from 'vitest';
import { atMost } from '../../shared/at-most.ts';
import { entityTypes, runInputKey, runKey } from '../../shared/storage/keys.ts';
import { tableDocumentClient, useTestStack } from '../support/local-api.ts';

/**
 * MLflow's `runs/search` answers each run with its datasets and outputs, as `runs/get` does
 * (datasets in the order they were first logged, logged models it produced, by id; the models it used
 * only `runs/get` answers, as on MLflow's server), and reads them
 * only for runs that have any: by DynamoDB's own read units (the x-stratus-consumed-capacity
 * header), a page of runs without any costs what `/api/v1`'s search of the same page costs,
 * which never reads them. A run's run item keeps a copy of them, so that a search reads none of
 * its items, unless the copy is not current (a write that failed halfway) or too large to keep.
 */
// Every request reads its token (no cache): read units are compared across requests, and a cached
// token's expiry (a 1-unit read) would otherwise land on whichever request came after it.
const local = useTestStack({ authCacheSeconds: 0 });
const mlflow = (path: string, body: unknown) => local.api.post(`/api/2.0/mlflow/${path}`, body);

const readUnits = (response: { headers: Headers }) =>
  Number(/read=([\d.]+)/.exec(response.headers.get('x-stratus-consumed-capacity') ?? '')?.[1] ?? Number.NaN);

const dataset = (name: string, digest: string, context?: string) => ({
  dataset: { name, digest, source_type: 'local', source: `{"uri": "/data/${name}"}` },
  tags: context === undefined ? [] : [{ key: 'mlflow.data.context', value: context }],
});

async function searchBoth(experimentId: string, maxResults: number) {
  const viaMlflow = await mlflow('runs/search', { experiment_ids: [experimentId], max_results: maxResults });
  expect(viaMlflow.status, JSON.stringify(viaMlflow.body)).toBe(200);
  const viaV1 = await local.api.post('/api/v1/runs/search', {
    experiment_ids: [experimentId],
    max_results: maxResults,
  });
  expect(viaV1.status, JSON.stringify(viaV1.body)).toBe(200);
  return { mlflow: viaMlflow, v1: viaV1 };
}

describe("MLflow search answers runs' inputs and outputs", () => {
  test('as get_run does, in the order logged, reading them only for runs that have any', async () => {
    const experimentId = (await mlflow('experiments/create', { name: `search-io-${Date.now()}` })).body
      .experiment_id as string;
    const start = async (name: string) =>
      (await mlflow('runs/create', { experiment_id: experimentId, run_name: name, start_time: 1 })).body.run.info
        .run_id as string;
    const runs = { plain: await start('plain'), data: await start('data'), models: await start('models') };

    // Two requests; the second repeats `train` (kept once, where it was first logged) and adds `test`.
    for (const datasets of [
      [dataset('train', 'd1', 'training'), dataset('eval', 'd2', 'evaluation')],
      [dataset('test', 'd3', 'testing'), dataset('train', 'd1')],
    ]) {
      expect((await mlflow('runs/log-inputs', { run_id: runs.data, datasets })).status).toBe(200);
    }
    const modelIds: string[] = [];
    for (const name of ['second', 'first', 'third']) {
      const created = await mlflow('logged-models', { experiment_id: experimentId, name, source_run_id: runs.models });
      expect(created.status, JSON.stringify(created.body)).toBe(200);
      modelIds.push(created.body.model.info.model_id as string);
    }
    const outputs = await mlflow('runs/outputs', {
      run_id: runs.models,
      models: modelIds.map((model_id, step) => ({ model_id, step })),
    });
    expect(outputs.status, JSON.stringify(outputs.body)).toBe(200);
    // The models it evaluated, twice over (kept once) and by id alone, as MLflow's server keeps them.
    const used = await mlflow('runs/log-inputs', {
      run_id: runs.models,
      datasets: [dataset('eval', 'd2')],
      models: [{ model_id: modelIds[2] }, { model_id: modelIds[0] }, { model_id: modelIds[2] }],
    });
    expect(used.status, JSON.stringify(used.body)).toBe(200);
    // A run that used models and no data has nothing MLflow's search answers: it is not read.
    const onlyUsed = await mlflow('runs/log-inputs', { run_id: runs.plain, models: [{ model_id: modelIds[1] }] });
    expect(onlyUsed.status).toBe(200);

    const { mlflow: searched, v1 } = await searchBoth(experimentId, 100);
    const found = new Map(
      (searched.body.runs as Array<{ info: { run_id: string } }>).map((run) => [run.info.run_id, run]),
    );
    expect(found.size).toBe(3);
    for (const runId of Object.values(runs)) {
      const got = await local.api.get(`/api/2.0/mlflow/runs/get?run_id=${runId}`);
      expect(got.status).toBe(200);
      const { inputs, outputs: runOutputs } = found.get(runId) as unknown as Record<string, unknown>;
      expect({ inputs, outputs: runOutputs }).toEqual({
        inputs: { ...got.body.run.inputs, model_inputs: [] },
        outputs: got.body.run.outputs,
      });
    }
    const usedBy = async (runId: string) =>
      (await local.api.get(`/api/2.0/mlflow/runs/get?run_id=${runId}`)).body.run.inputs.model_inputs;
    // Models in the order of their ids, as MLflow's server answers them (its table's primary key).
    const byId = (a: { model_id?: string }, b: { model_id?: string }) =>
      (a.model_id ?? '') < (b.model_id ?? '') ? -1 : 1;
    expect(await usedBy(runs.models)).toEqual([{ model_id: modelIds[2] }, { model_id: modelIds[0] }].sort(byId));
    expect(await usedBy(runs.plain)).toEqual([{ model_id: modelIds[1] }]);
    expect(await usedBy(runs.data)).toEqual([]);
    const names = (runId: string) =>
      (
        (found.get(runId) as unknown as { inputs: { dataset_inputs: Array<{ dataset: { name: string } }> } }).inputs
          .dataset_inputs ?? []
      ).map((input) => input.dataset.name);
    expect(names(runs.data)).toEqual(['train', 'eval', 'test']);
    expect(names(runs.models)).toEqual(['eval']);
    expect(names(runs.plain)).toEqual([]);
    const trainTags = (found.get(runs.data) as unknown as { inputs: { dataset_inputs: Array<{ tags: unknown }> } })
      .inputs.dataset_inputs[0]?.tags;
    expect(trainTags).toEqual([{ key: 'mlflow.data.context', value: 'training' }]);
    expect(
      (found.get(runs.models) as unknown as { outputs: { model_outputs: unknown[] } }).outputs.model_outputs,
    ).toEqual(modelIds.map((model_id, step) => ({ model_id, step })).sort(byId));
    // No IO partition read: the run items both searches read hold current copies of their IO (run-io-copy.ts).
    expect(readUnits(searched) - readUnits(v1)).toBe(0);
    // Runs found through an index are loaded by key (the mark comes with them), not from the runs' list.
    const indexed = await mlflow('runs/search', {
      experiment_ids: [experimentId],
      filter: `attributes.run_id IN ('${runs.data}', '${runs.plain}')`,
    });
    expect(indexed.headers.get('x-stratus-search-plan')).toMatch(/^index: /);
    expect(
      (indexed.body.runs as Array<{ info: { run_id: string }; inputs: { dataset_inputs: unknown[] } }>).map((run) => [
        run.info.run_id,
        run.inputs.dataset_inputs.length,
      ]),
    ).toEqual(
      expect.arrayContaining([
        [runs.data, 3],
        [runs.plain, 0],
      ]),
    );
  });

  test('a run whose copy is not current (a write failed halfway) or too large is answered from its items, read once', async () => {
    const table = local.stack.tableName;
    const documents = tableDocumentClient(local.stack);
    const experimentId = (await mlflow('experiments/create', { name: `search-io-copies-${Date.now()}` })).body
      .experiment_id as string;
    const start = async (name: string) =>
      (await mlflow('runs/create', { experiment_id: experimentId, run_name: name, start_time: 1 })).body.run.info
        .run_id as string;
    const runs = { kept: await start('kept'), stale: await start('stale'), large: await start('large') };
    const logInputs = async (runId: string, datasets: unknown[]) =>
      expect((await mlflow('runs/log-inputs', { run_id: runId, datasets })).status).toBe(200);
    await logInputs(runs.kept, [dataset('train', 'd1', 'training'), dataset('eval', 'd2', 'evaluation')]);
    await logInputs(runs.stale, [dataset('train', 'd1', 'training')]);
    // Past the copy's 3 KB (within a read unit's 4 KB): the run item keeps none.
    const large = dataset('wide', 'd4', 'training');
    await logInputs(runs.large, [{ ...large, dataset: { ...large.dataset, schema: 'x'.repeat(3500) } }]);
    const model = await mlflow('logged-models', { experiment_id: experimentId, source_run_id: runs.kept });
    const output = { model_id: model.body.model.info.model_id as string, step: 2 };
    expect((await mlflow('runs/outputs', { run_id: runs.kept, models: [output] })).status).toBe(200);
    // A write that began (and so made the copy stale) and put its item, then failed before keeping the copy.
    await documents.send(
      new UpdateCommand({
        TableName: table,
        Key: runKey('default', runs.stale),
        UpdateExpression: 'ADD ioVersion :one',
        ExpressionAttributeValues: { ':one': 1 },
      }),
    );
    await documents.send(
      new PutCommand({
        TableName: table,
        Item: {
          ...runInputKey('default', runs.stale, 'late'),
          type: entityTypes.runInput,
          name: 'late',
          digest: 'd5',
          sourceType: 'local',
          source: '{}',
          tags: { 'mlflow.data.context': 'testing' },
          recordedAt: Date.now(),
          position: 0,
        },
      }),
    );
    const runItem = async (runId: string) =>
      (await documents.send(new GetCommand({ TableName: table, Key: runKey('default', runId) }))).Item ?? {};
    expect(await runItem(runs.kept)).toMatchObject({ ioCopy: expect.any(String), ioVersion: 2, ioCopyVersion: 2 });
    expect((await runItem(runs.large)).ioCopy).toBeUndefined();

    const { mlflow: searched, v1 } = await searchBoth(experimentId, 100);
    const found = new Map(
      (searched.body.runs as Array<{ info: { run_id: string } }>).map((run) => [run.info.run_id, run]),
    );
    for (const runId of Object.values(runs)) {
      const got = (await local.api.get(`/api/2.0/mlflow/runs/get?run_id=${runId}`)).body.run;
      const { inputs, outputs } = found.get(runId) as unknown as Record<string, unknown>;
      expect({ inputs, outputs }).toEqual({ inputs: { ...got.inputs, model_inputs: [] }, outputs: got.outputs });
    }
    const names = (runId: string) =>
      (
        found.get(runId) as unknown as { inputs: { dataset_inputs: Array<{ dataset: { name: string } }> } }
      ).inputs.dataset_inputs.map((input) => input.dataset.name);
    expect([names(runs.kept), names(runs.stale), names(runs.large)]).toEqual([
      ['train', 'eval'],
      ['train', 'late'],
      ['wide'],
    ]);
    // The stale and the large run's IO partitions are read (half a unit each), the kept run's not.
    expect(readUnits(searched) - readUnits(v1)).toBe(1);

    // A `datasets.*` clause reads a run's IO once, for the filter and MLflow's answer both: as much as
    // /api/v1's search, which reads it for the filter alone.
    const filter = "datasets.context = 'testing'";
    const [filtered, filteredV1] = await Promise.all([
      mlflow('runs/search', { experiment_ids: [experimentId], filter }),
      local.api.post('/api/v1/runs/search', { experiment_ids: [experimentId], filter }),
    ]);
    expect(filtered.body.runs.map((run: { info: { run_id: string } }) => run.info.run_id)).toEqual([runs.stale]);
    expect(filteredV1.body.runs.map((run: { run_id: string }) => run.run_id)).toEqual([runs.stale]);
    expect(filtered.body.runs[0].inputs.dataset_inputs).toEqual(
      (found.get(runs.stale) as unknown as { inputs: { dataset_inputs: unknown } }).inputs.dataset_inputs,
    );
    expect(readUnits(filtered)).toBe(readUnits(filteredV1));

    // The next write keeps a current copy again, with what the failed one left.
    await logInputs(runs.stale, [dataset('more', 'd6')]);
    expect(await runItem(runs.stale)).toMatchObject({ ioVersion: 3, ioCopyVersion: 3 });
    const again = await searchBoth(experimentId, 100);
    expect(readUnits(again.mlflow) - readUnits(again.v1)).toBe(0.5);
    const stale = (
      again.mlflow.body.runs as Array<{
        info: { run_id: string };
        inputs: { dataset_inputs: Array<{ dataset: { name: string } }> };
      }>
    ).find((run) => run.info.run_id === runs.stale);
    expect(stale?.inputs.dataset_inputs.map((input) => input.dataset.name)).toEqual(['train', 'late', 'more']);
  });

  test('a page of 1,000 runs without datasets or outputs reads nothing more than /api/v1 search', async () => {
    const experimentId = (await mlflow('experiments/create', { name: `search-io-1000-${Date.now()}` })).body
      .experiment_id as string;
    const model = await mlflow('logged-models', { experiment_id: experimentId, name: 'used' });
    const modelId = model.body.model.info.model_id as string;
    await atMost(16, [...Array(1000).keys()], async (i) => {
      const created = await local.api.post(`/api/v1/experiments/${experimentId}/runs`, {
        run_name: `run-${i}`,
        params: { lr: String(i / 1000) },
        metrics: [{ key: 'loss', value: 1 / (i + 1), step: 0, timestamp: 1_700_000_000_000 }],
      });
      expect(created.status).toBe(201);
      // A model the run used is no IO MLflow's search answers (nor marks), but its partition is not empty:
      // DynamoDB Local bills an empty Query nothing, where DynamoDB bills half a unit, so a needless read
      // would not show.
      const used = await mlflow('runs/log-inputs', { run_id: created.body.run_id, models: [{ model_id: modelId }] });
      expect(used.status).toBe(200);
    });
    const { mlflow: searched, v1 } = await searchBoth(experimentId, 1000);
    expect(searched.body.runs).toHaveLength(1000);
    expect(
      (
        searched.body.runs as Array<{ inputs: { dataset_inputs?: unknown[] }; outputs: { model_outputs?: unknown[] } }>
      ).flatMap((run) => [...(run.inputs.dataset_inputs ?? []), ...(run.outputs.model_outputs ?? [])]).length,
    ).toBe(0);
    expect(readUnits(searched)).toBeGreaterThan(0);
    expect(readUnits(searched)).toBe(readUnits(v1));
  }, 180_000);
});
