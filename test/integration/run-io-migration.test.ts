import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, test } from 'vitest';
import { experimentKey, runKey } from '../../shared/storage/keys.ts';
import { tableDocumentClient, useTestStack } from '../support/local-api.ts';

/**
 * Runs that recorded MLflow inputs or outputs before runs were marked so (Run.hasIo) carry
 * no mark, nor does their experiment (`runIoMarks`). Such runs are written here as that
 * version left them: MLflow's search still answers their inputs and outputs, reading them
 * for every run of the experiment; `npm run migrate` marks the runs that have any and the
 * experiment, and keeps a copy of their IO on their run items, after which none is read; again,
 * it does nothing.
 */
// Every request reads its token (no cache): read units are compared across requests, and a cached
// token's expiry (a 1-unit read) would otherwise land on whichever request came after it.
const local = useTestStack({ authCacheSeconds: 0 });
const run = promisify(execFile);
const mlflow = (path: string, body: unknown) => local.api.post(`/api/2.0/mlflow/${path}`, body);

const readUnits = (response: { headers: Headers }) =>
  Number(/read=([\d.]+)/.exec(response.headers.get('x-stratus-consumed-capacity') ?? '')?.[1] ?? Number.NaN);

describe('runs with inputs or outputs from before IO marks', () => {
  test('search answers their IO; npm run migrate marks them, once', async () => {
    const table = local.stack.tableName;
    const documents = tableDocumentClient(local.stack);
    const experimentId = (await mlflow('experiments/create', { name: 'from-before-io-marks' })).body
      .experiment_id as string;
    const start = async (name: string) =>
      (await mlflow('runs/create', { experiment_id: experimentId, run_name: name })).body.run.info.run_id as string;
    const runs = { data: await start('data'), model: await start('model'), plain: await start('plain') };
    const datasets = [
      { dataset: { name: 'train', digest: 'd1', source_type: 'local', source: '{}' }, tags: [] },
      { dataset: { name: 'eval', digest: 'd2', source_type: 'local', source: '{}' }, tags: [] },
    ];
    expect((await mlflow('runs/log-inputs', { run_id: runs.data, datasets })).status).toBe(200);
    const model = await mlflow('logged-models', { experiment_id: experimentId, source_run_id: runs.model });
    const modelId = model.body.model.info.model_id as string;
    expect(
      (await mlflow('runs/outputs', { run_id: runs.model, models: [{ model_id: modelId, step: 3 }] })).status,
    ).toBe(200);
    // A model it used is no IO MLflow's search answers (nor marks), but its partition is not empty: DynamoDB
    // Local bills an empty Query nothing, where DynamoDB bills half a unit, so a needless read would not show.
    expect((await mlflow('runs/log-inputs', { run_id: runs.plain, models: [{ model_id: modelId }] })).status).toBe(200);

    // What the earlier version left: no marks on the runs (nor copies of their IO), nor on the experiment.
    const unmark = (Key: { pk: string; sk: string }, attribute: string) =>
      documents.send(new UpdateCommand({ TableName: table, Key, UpdateExpression: `REMOVE ${attribute}` }));
    for (const runId of Object.values(runs)) {
      await unmark(runKey('default', runId), 'hasIo, ioVersion, ioCopy, ioCopyVersion');
    }
    await unmark(experimentKey('default', experimentId), 'runIoMarks, runIoCopies');

    const search = async () => {
      const [viaMlflow, viaV1] = await Promise.all([
        mlflow('runs/search', { experiment_ids: [experimentId] }),
        local.api.post('/api/v1/runs/search', { experiment_ids: [experimentId] }),
      ]);
      expect(viaMlflow.status).toBe(200);
      const byName = Object.fromEntries(
        (viaMlflow.body.runs as Array<Record<string, any>>).map((found) => [found.info.run_name, found]),
      );
      expect(byName.data?.inputs.dataset_inputs.map((input: any) => input.dataset.name)).toEqual(['train', 'eval']);
      expect(byName.model?.outputs.model_outputs).toEqual([{ model_id: modelId, step: 3 }]);
      expect(byName.plain?.inputs.dataset_inputs ?? []).toEqual([]);
      return readUnits(viaMlflow) - readUnits(viaV1);
    };
    // Unmarked, every run's IO partition is read (half a unit each).
    expect(await search()).toBe(1.5);

    const migrate = () =>
      run('npx', ['tsx', 'scripts/migrate.ts', '--table', table, '--endpoint', local.stack.dynamoDbEndpoint], {
        env: { ...process.env, AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local' },
      });
    const first = await migrate();
    expect(first.stdout).toContain(`experiment ${experimentId}: 2 runs marked with IO`);
    expect(first.stdout).toMatch(/run IO marks: 1 experiments migrated \(\d+ already were\), 2 runs marked/);
    const item = async (Key: { pk: string; sk: string }) =>
      (await documents.send(new GetCommand({ TableName: table, Key }))).Item;
    expect((await item(experimentKey('default', experimentId)))?.runIoMarks).toBe(true);
    expect((await item(runKey('default', runs.data)))?.hasIo).toBe(true);
    expect((await item(runKey('default', runs.model)))?.hasIo).toBe(true);
    expect((await item(runKey('default', runs.plain)))?.hasIo).toBeUndefined();
    // Marked, and each given a copy of its IO on its run item: no IO partition is read.
    expect(first.stdout).toContain(`experiment ${experimentId}: 2 runs given a copy of their IO`);
    expect(first.stdout).toMatch(/run IO copies: 1 experiments migrated \(\d+ already were\), 2 runs given a copy/);
    expect(await search()).toBe(0);

    const again = await migrate();
    expect(again.stdout).toMatch(/run IO marks: 0 experiments migrated \(\d+ already were\), 0 runs marked/);
    expect(again.stdout).toMatch(/run IO copies: 0 experiments migrated \(\d+ already were\), 0 runs given a copy/);
  }, 120_000);
});
