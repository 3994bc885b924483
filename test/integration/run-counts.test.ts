import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, test } from 'vitest';
import { experimentKey } from '../../shared/storage/keys.ts';
import { tableDocumentClient, useTestStack } from '../support/local-api.ts';
import { seededRandom } from '../support/seeded-random.ts';

/**
 * An experiment's `run_count` is its active runs and `deleted_run_count` its deleted ones not
 * purged, whatever mix of deletes, restores, purges, retries and experiment deletes led there,
 * through either API. Sequences of such steps are generated from a seed and each step's answer
 * checked against a model of the runs, and against what the runs lists show.
 */
const local = useTestStack();

type Stage = 'active' | 'deleted';
interface Model {
  experimentId: string;
  experiment: Stage;
  /** Own stages of the runs not purged. */
  runs: Map<string, Stage>;
}

const mlflow = (path: string, body: unknown) => local.api.post(`/api/2.0/mlflow/${path}`, body);

/** What the model says each view lists: none active in a deleted experiment, all of its runs deleted. */
function expected(model: Model) {
  const own = [...model.runs.values()];
  if (model.experiment === 'deleted') return { run_count: 0, deleted_run_count: own.length };
  return {
    run_count: own.filter((stage) => stage === 'active').length,
    deleted_run_count: own.filter((stage) => stage === 'deleted').length,
  };
}

async function counts(experimentId: string) {
  const one = await local.api.get(`/api/v1/experiments/${experimentId}`);
  expect(one.status).toBe(200);
  const listed = await local.api.get('/api/v1/experiments?lifecycle=all&max_results=1000');
  const inList = listed.body.experiments.find((e: { experiment_id: string }) => e.experiment_id === experimentId);
  // The list and the single read agree.
  expect([inList.run_count, inList.deleted_run_count]).toEqual([one.body.run_count, one.body.deleted_run_count]);
  return { run_count: one.body.run_count as number, deleted_run_count: one.body.deleted_run_count as number };
}

async function listedCounts(experimentId: string) {
  const count = async (lifecycle: string) =>
    (await local.api.get(`/api/v1/experiments/${experimentId}/runs?lifecycle=${lifecycle}&max_results=1000`)).body.runs
      .length as number;
  return { run_count: await count('active'), deleted_run_count: await count('deleted') };
}

/** One step, on one API or the other: applies it to the model and checks its answer. */
async function step(model: Model, next: () => number, log: string[]) {
  const pick = <T>(items: readonly T[]) => items[Math.floor(next() * items.length)] as T;
  const onMlflow = next() < 0.5;
  const ids = [...model.runs.keys()];
  const choices = ['start', 'start', 'delete', 'delete', 'restore', 'purge', 'retry', 'experiment'] as const;
  const action = ids.length === 0 ? 'start' : pick(choices);
  const id = ids.length ? pick(ids) : '';
  log.push(`${action}${onMlflow ? ' (mlflow)' : ''} ${id}`);
  if (action === 'start') {
    const started = onMlflow
      ? await mlflow('runs/create', { experiment_id: model.experimentId, start_time: Date.now() })
      : await local.api.post(`/api/v1/experiments/${model.experimentId}/runs`, {});
    if (model.experiment === 'deleted') {
      // A deleted experiment takes no new runs: nothing is counted.
      expect(started.status).toBe(onMlflow ? 400 : 409);
      return;
    }
    expect(started.status).toBe(onMlflow ? 200 : 201);
    model.runs.set(onMlflow ? started.body.run.info.run_id : started.body.run_id, 'active');
  } else if (action === 'delete' || action === 'retry') {
    const remove = () => (onMlflow ? mlflow('runs/delete', { run_id: id }) : local.api.delete(`/api/v1/runs/${id}`));
    // A retry: the same delete twice at once, then once more; it counts once.
    const answers =
      action === 'retry' ? [...(await Promise.all([remove(), remove()])), await remove()] : [await remove()];
    for (const answer of answers) expect(answer.status).toBe(200);
    model.runs.set(id, 'deleted');
  } else if (action === 'restore') {
    const answer = onMlflow
      ? await mlflow('runs/restore', { run_id: id })
      : await local.api.post(`/api/v1/runs/${id}/restore`);
    if (model.experiment === 'deleted') {
      expect(answer.status).toBe(onMlflow ? 400 : 409);
      return;
    }
    expect(answer.status).toBe(200);
    model.runs.set(id, 'active');
  } else if (action === 'purge') {
    // Only /api/v1 purges (MLflow's REST API has none).
    const answer = await local.api.post(`/api/v1/runs/${id}/purge`);
    if (model.runs.get(id) === 'deleted' || model.experiment === 'deleted') {
      expect(answer.status).toBe(200);
      model.runs.delete(id);
    } else {
      expect([answer.status, answer.body.error?.code]).toEqual([409, 'run.not_deleted']);
    }
  } else {
    const deleting = model.experiment === 'active';
    const path = deleting ? 'experiments/delete' : 'experiments/restore';
    const answer = onMlflow
      ? await mlflow(path, { experiment_id: model.experimentId })
      : deleting
        ? await local.api.delete(`/api/v1/experiments/${model.experimentId}`)
        : await local.api.post(`/api/v1/experiments/${model.experimentId}/restore`);
    expect(answer.status).toBe(200);
    model.experiment = deleting ? 'deleted' : 'active';
  }
}

/** A new experiment with `count` runs started in it over /api/v1, oldest first. */
async function experimentWithRuns(name: string, count: number) {
  const created = await local.api.post('/api/v1/experiments', { experiment_name: name });
  const experimentId = created.body.experiment_id as string;
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    ids.push((await local.api.post(`/api/v1/experiments/${experimentId}/runs`, {})).body.run_id as string);
  }
  return { experimentId, ids };
}

describe('run counts', () => {
  test.each([1, 2, 3, 4, 5, 6])(
    'generated sequence %i: the counts are the active and the deleted runs after every step, on both APIs',
    async (seed) => {
      const next = seededRandom(seed);
      const created = await local.api.post('/api/v1/experiments', { experiment_name: `counts-${seed}` });
      const model: Model = { experimentId: created.body.experiment_id, experiment: 'active', runs: new Map() };
      const log: string[] = [];
      for (let i = 0; i < 24; i++) {
        await step(model, next, log);
        const where = `seed ${seed}, after: ${log.join('; ')}`;
        expect(await counts(model.experimentId), where).toEqual(expected(model));
      }
      // The counts are what the runs lists show.
      expect(await listedCounts(model.experimentId)).toEqual(expected(model));
      // Each sequence did something of each kind that changes a count.
      expect(log.some((line) => line.startsWith('delete') || line.startsWith('retry'))).toBe(true);
    },
  );

  test('deletes and restores racing on one run, on both APIs at once, count once', async () => {
    const created = await local.api.post('/api/v1/experiments', { experiment_name: 'counts-racing' });
    const experimentId = created.body.experiment_id as string;
    const runId = (await local.api.post(`/api/v1/experiments/${experimentId}/runs`, {})).body.run_id as string;
    for (let round = 0; round < 3; round++) {
      const deletes = await Promise.all(
        Array.from({ length: 6 }, (_, i) =>
          i % 2 ? mlflow('runs/delete', { run_id: runId }) : local.api.delete(`/api/v1/runs/${runId}`),
        ),
      );
      expect(deletes.map((answer) => answer.status)).toEqual(Array(6).fill(200));
      expect(await counts(experimentId)).toEqual({ run_count: 0, deleted_run_count: 1 });
      const restores = await Promise.all(
        Array.from({ length: 6 }, (_, i) =>
          i % 2 ? mlflow('runs/restore', { run_id: runId }) : local.api.post(`/api/v1/runs/${runId}/restore`),
        ),
      );
      expect(restores.map((answer) => answer.status)).toEqual(Array(6).fill(200));
      expect(await counts(experimentId)).toEqual({ run_count: 1, deleted_run_count: 0 });
    }
  });

  test('a purge in a deleted experiment leaves the count of runs its restore brings back', async () => {
    const { experimentId, ids } = await experimentWithRuns('counts-purge-in-deleted', 3);
    expect((await local.api.delete(`/api/v1/runs/${ids[0]}`)).status).toBe(200);
    expect((await local.api.delete(`/api/v1/experiments/${experimentId}`)).status).toBe(200);
    expect(await counts(experimentId)).toEqual({ run_count: 0, deleted_run_count: 3 });
    // One deleted on its own, one deleted only with its experiment.
    expect((await local.api.post(`/api/v1/runs/${ids[0]}/purge`)).status).toBe(200);
    expect((await local.api.post(`/api/v1/runs/${ids[1]}/purge`)).status).toBe(200);
    expect(await counts(experimentId)).toEqual({ run_count: 0, deleted_run_count: 1 });
    expect((await local.api.post(`/api/v1/experiments/${experimentId}/restore`)).status).toBe(200);
    expect(await counts(experimentId)).toEqual({ run_count: 1, deleted_run_count: 0 });
    expect(await listedCounts(experimentId)).toEqual({ run_count: 1, deleted_run_count: 0 });
  });

  test('an experiment from before the counters reads within its runs started, never negative', async () => {
    const { experimentId, ids } = await experimentWithRuns('counts-from-before', 3);
    for (const id of ids.slice(0, 2)) expect((await local.api.delete(`/api/v1/runs/${id}`)).status).toBe(200);
    // As an older version left it: the deletes were not counted.
    await tableDocumentClient(local.stack).send(
      new UpdateCommand({
        TableName: local.stack.tableName,
        Key: experimentKey('default', experimentId),
        UpdateExpression: 'REMOVE deletedRuns, purgedRuns',
      }),
    );
    expect(await counts(experimentId)).toEqual({ run_count: 3, deleted_run_count: 0 });
    // Restoring runs whose delete was never counted takes the counter below zero: read as none deleted.
    for (const id of ids.slice(0, 2)) expect((await local.api.post(`/api/v1/runs/${id}/restore`)).status).toBe(200);
    expect(await counts(experimentId)).toEqual({ run_count: 3, deleted_run_count: 0 });
    expect((await local.api.post(`/api/v1/runs/${ids[2]}/purge`)).status).toBe(409);
    expect((await local.api.delete(`/api/v1/experiments/${experimentId}`)).status).toBe(200);
    for (const id of ids) expect((await local.api.post(`/api/v1/runs/${id}/purge`)).status).toBe(200);
    expect(await counts(experimentId)).toEqual({ run_count: 0, deleted_run_count: 0 });
  });
});
