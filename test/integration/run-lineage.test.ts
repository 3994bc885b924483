import { describe, expect, test } from 'vitest';
import { lineageModelLookups } from '../../shared/use-cases/logged-models.ts';
import { newLoggedModel, newMlflowRun } from '../support/logged-model-fixture.ts';
import { useTestStack } from '../support/local-api.ts';

/**
 * `GET /api/v1/runs/{run_id}/lineage`: what MLflow's get_run answers as a run's inputs and outputs
 * (datasets in the order first logged; logged models used and produced), for `/api/v1` and the web
 * app's run page, with each model's name while it is there.
 */
const local = useTestStack();
const mlflow = (path: string, body: unknown) => local.api.post(`/api/2.0/mlflow/${path}`, body);

const dataset = (name: string, digest: string, tags: Array<{ key: string; value: string }>) => ({
  dataset: { name, digest, source_type: 'local', source: `{"uri": "/data/${name}"}`, schema: '{"mlflow_colspec": []}' },
  tags,
});

describe("a run's lineage", () => {
  test('datasets as logged, models used and produced with their names, a deleted model by id', async () => {
    const { experimentId, runId } = await newMlflowRun(local.api, 'lineage');
    const logged = await mlflow('runs/log-inputs', {
      run_id: runId,
      datasets: [
        dataset('train', 'd1', [
          { key: 'mlflow.data.context', value: 'training' },
          { key: 'constructor', value: 'kept as a tag' },
        ]),
        dataset('eval', 'd2', []),
      ],
    });
    expect(logged.status, JSON.stringify(logged.body)).toBe(200);
    const [produced, usedAndProduced, used, deleted] = [
      await newLoggedModel(local.api, experimentId, runId, 'produced'),
      await newLoggedModel(local.api, experimentId, runId, 'both'),
      await newLoggedModel(local.api, experimentId, runId, 'used'),
      await newLoggedModel(local.api, experimentId, runId, 'deleted'),
    ];
    const outputs = await mlflow('runs/outputs', {
      run_id: runId,
      models: [
        { model_id: produced, step: 3 },
        { model_id: usedAndProduced, step: 7 },
        { model_id: deleted, step: 9 },
      ],
    });
    expect(outputs.status, JSON.stringify(outputs.body)).toBe(200);
    const inputs = await mlflow('runs/log-inputs', {
      run_id: runId,
      models: [{ model_id: used }, { model_id: usedAndProduced }],
    });
    expect(inputs.status, JSON.stringify(inputs.body)).toBe(200);
    expect((await local.api.delete(`/api/2.0/mlflow/logged-models/${deleted}`)).status).toBe(200);

    const lineage = await local.api.get(`/api/v1/runs/${runId}/lineage`);
    expect(lineage.status, JSON.stringify(lineage.body)).toBe(200);
    expect(lineage.body.run_id).toBe(runId);
    expect(lineage.body.datasets).toEqual([
      {
        name: 'train',
        digest: 'd1',
        source_type: 'local',
        source: '{"uri": "/data/train"}',
        schema: '{"mlflow_colspec": []}',
        context: 'training',
        tags: expect.objectContaining({ 'mlflow.data.context': 'training' }),
      },
      {
        name: 'eval',
        digest: 'd2',
        source_type: 'local',
        source: '{"uri": "/data/eval"}',
        schema: '{"mlflow_colspec": []}',
        tags: {},
      },
    ]);
    // A user's tag named like an Object property is data like any other.
    expect(Object.getOwnPropertyDescriptor(lineage.body.datasets[0].tags, 'constructor')?.value).toBe('kept as a tag');

    const models = lineage.body.models as Array<Record<string, unknown>>;
    expect(models.map((model) => model.model_id)).toEqual([produced, usedAndProduced, used, deleted].sort());
    const byId = new Map(models.map((model) => [model.model_id, model]));
    expect(byId.get(produced)).toEqual({
      model_id: produced,
      used: false,
      produced_at_step: 3,
      name: 'produced',
      status: 'PENDING',
      created_at: expect.any(Number),
    });
    expect(byId.get(usedAndProduced)).toMatchObject({ used: true, produced_at_step: 7, name: 'both' });
    expect(byId.get(used)).toMatchObject({ used: true, name: 'used' });
    expect(byId.get(used)).not.toHaveProperty('produced_at_step');
    expect(byId.get(deleted)).toEqual({ model_id: deleted, used: false, produced_at_step: 9 });
    expect(lineage.body.models_looked_up).toBe(4);

    // The same datasets and models as MLflow's get_run answers.
    const got = (await local.api.get(`/api/2.0/mlflow/runs/get?run_id=${runId}`)).body.run;
    expect(got.inputs.dataset_inputs.map((input: { dataset: { name: string } }) => input.dataset.name)).toEqual(
      lineage.body.datasets.map((entry: { name: string }) => entry.name),
    );
    expect(
      got.outputs.model_outputs.map((output: { model_id: string; step: number }) => [output.model_id, output.step]),
    ).toEqual(
      models
        .filter((model) => model.produced_at_step !== undefined)
        .map((model) => [model.model_id, model.produced_at_step]),
    );
  });

  test('a run without any answers empty lists; an unknown run is a 404 naming it', async () => {
    const { runId } = await newMlflowRun(local.api, 'lineage-empty');
    const empty = await local.api.get(`/api/v1/runs/${runId}/lineage`);
    expect(empty.status).toBe(200);
    expect(empty.body).toEqual({ run_id: runId, datasets: [], models: [], models_looked_up: 0 });

    const unknown = 'f'.repeat(32);
    const missing = await local.api.get(`/api/v1/runs/${unknown}/lineage`);
    expect(missing.status).toBe(404);
    expect(JSON.stringify(missing.body)).toContain(unknown);
  });

  test(`looks up the first ${lineageModelLookups} models by id and answers the rest by id alone`, async () => {
    const { experimentId, runId } = await newMlflowRun(local.api, 'lineage-many');
    const ids: string[] = [];
    for (let batch = 0; batch < 11; batch++) {
      ids.push(
        ...(await Promise.all(
          Array.from({ length: 10 }, (_, n) => newLoggedModel(local.api, experimentId, runId, `m${batch * 10 + n}`)),
        )),
      );
    }
    for (let start = 0; start < ids.length; start += 50) {
      const outputs = await mlflow('runs/outputs', {
        run_id: runId,
        models: ids.slice(start, start + 50).map((model_id) => ({ model_id, step: 1 })),
      });
      expect(outputs.status, JSON.stringify(outputs.body)).toBe(200);
    }
    const lineage = await local.api.get(`/api/v1/runs/${runId}/lineage`);
    expect(lineage.status).toBe(200);
    const models = lineage.body.models as Array<{ model_id: string; name?: string }>;
    expect(models.map((model) => model.model_id)).toEqual([...ids].sort());
    expect(lineage.body.models_looked_up).toBe(lineageModelLookups);
    expect(models.slice(0, lineageModelLookups).every((model) => model.name !== undefined)).toBe(true);
    expect(models.slice(lineageModelLookups).every((model) => model.name === undefined)).toBe(true);
  });
});

describe("MLflow's log-inputs", () => {
  test("a dataset's fields left out are empty, as MLflow's server stores them", async () => {
    const { runId } = await newMlflowRun(local.api, 'lineage-defaults');
    const logged = await mlflow('runs/log-inputs', {
      run_id: runId,
      datasets: [
        { dataset: { name: 'no digest', source_type: 'local', source: 's' } },
        { dataset: { digest: 'd', source: 's' } },
        { dataset: {} },
      ],
    });
    expect(logged.status, JSON.stringify(logged.body)).toBe(200);
    const read = await local.api.get(`/api/2.0/mlflow/runs/get?run_id=${runId}`);
    expect(read.body.run.inputs.dataset_inputs.map((input: { dataset: unknown }) => input.dataset)).toEqual([
      { name: 'no digest', digest: '', source_type: 'local', source: 's' },
      { name: '', digest: 'd', source_type: '', source: 's' },
      { name: '', digest: '', source_type: '', source: '' },
    ]);
  });
});

describe('POST /api/v1/runs/{run_id}/inputs', () => {
  const train = { name: 'train', digest: 'd1', source_type: 's3', source: '{"uri": "s3://b/train"}' };

  test("records datasets and models used as MLflow's log_input does, and answers the lineage", async () => {
    const { experimentId, runId } = await newMlflowRun(local.api, 'inputs');
    const base = await newLoggedModel(local.api, experimentId, runId, 'base');
    const recorded = await local.api.post(`/api/v1/runs/${runId}/inputs`, {
      datasets: [
        { ...train, context: 'training', tags: { split: '80%' } },
        { name: 'holdout', digest: 'd2', source_type: 'local', source: '{}', profile: '{"rows": 10}' },
      ],
      models: [{ model_id: base }],
    });
    expect(recorded.status, JSON.stringify(recorded.body)).toBe(200);
    expect(recorded.body.datasets).toEqual([
      {
        ...train,
        context: 'training',
        tags: { split: '80%', 'mlflow.data.context': 'training' },
      },
      { name: 'holdout', digest: 'd2', source_type: 'local', source: '{}', profile: '{"rows": 10}', tags: {} },
    ]);
    expect(recorded.body.models).toMatchObject([{ model_id: base, used: true, name: 'base' }]);
    expect((await local.api.get(`/api/v1/runs/${runId}/lineage`)).body).toEqual(recorded.body);

    // What MLflow's client reads back: the context as its tag.
    const viaMlflow = await local.api.get(`/api/2.0/mlflow/runs/get?run_id=${runId}`);
    const [first] = viaMlflow.body.run.inputs.dataset_inputs as Array<{ dataset: { name: string }; tags: unknown }>;
    expect(first?.dataset.name).toBe('train');
    expect(first?.tags).toEqual([
      { key: 'mlflow.data.context', value: 'training' },
      { key: 'split', value: '80%' },
    ]);

    // The same name and digest again keeps its first record, as on MLflow's server; a new one is added.
    const again = await local.api.post(`/api/v1/runs/${runId}/inputs`, {
      datasets: [
        { ...train, context: 'evaluation' },
        { name: 'test', digest: 'd3', source_type: 'local', source: '{}' },
      ],
    });
    expect(again.status).toBe(200);
    expect(again.body.datasets.map((d: { name: string; context?: string }) => [d.name, d.context])).toEqual([
      ['train', 'training'],
      ['holdout', undefined],
      ['test', undefined],
    ]);
  });

  test('refuses what it cannot record, naming the field', async () => {
    const { runId } = await newMlflowRun(local.api, 'inputs-refused');
    const refused = async (body: unknown, field: RegExp) => {
      const answer = await local.api.post(`/api/v1/runs/${runId}/inputs`, body);
      expect(answer.status, JSON.stringify(answer.body)).toBe(400);
      expect(answer.body.error.message).toMatch(field);
    };
    await refused(
      { datasets: [{ ...train, context: 'training', tags: { 'mlflow.data.context': 'evaluation' } }] },
      /^body\.datasets\[0\]\.context: /,
    );
    await refused({ datasets: [{ ...train, digest: 'x'.repeat(37) }] }, /^body\.datasets\[0\]\.digest: /);
    await refused({ datasets: [{ ...train, name: ' ' }] }, /^body\.datasets\[0\]\.name: /);
    await refused({ datasets: [{ ...train, weight: 1 }] }, /^body\.datasets\[0\]/);
    await refused({ datasets: Array.from({ length: 101 }, () => train) }, /^body\.datasets: .*100/);
    await refused({ models: [{ model_id: 'not-a-model' }] }, /^body\.models\[0\]\.model_id: /);
    expect((await local.api.get(`/api/v1/runs/${runId}/lineage`)).body.datasets).toEqual([]);

    const missing = await local.api.post(`/api/v1/runs/${'0'.repeat(32)}/inputs`, { datasets: [train] });
    expect(missing.status).toBe(404);
    expect(missing.body.error.message).toContain('0'.repeat(32));
    expect((await local.api.delete(`/api/v1/runs/${runId}`)).status).toBe(200);
    expect((await local.api.post(`/api/v1/runs/${runId}/inputs`, { datasets: [train] })).status).toBe(409);
  });
});
