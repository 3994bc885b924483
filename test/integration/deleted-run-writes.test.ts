import { describe, expect, test } from 'vitest';
import { type ApiResponse, useTestStack } from '../support/local-api.ts';

/**
 * Every write to a run, on both APIs, against a run deleted on its own: refused, as MLflow's
 * server refuses it (MLflow's API: 400 INVALID_PARAMETER_VALUE "The run <id> must be in the
 * 'active' state. Current state is deleted."; /api/v1: 409 run.deleted), and nothing is
 * written. Against a run deleted only with its experiment the writes are taken: they check the
 * run's own stage only (README, "Lifecycle", says why; MLflow's server refuses them too).
 */
const local = useTestStack();

/** A write to the run; `modelId` is a logged model of its experiment, for log-outputs. */
type Write = (runId: string, modelId: string) => Promise<ApiResponse>;
const mlflow = (path: string, body: unknown) => local.api.post(`/api/2.0/mlflow/${path}`, body);
const at = () => Date.now();

/** One of each write, by API; each leaves the run RUNNING, but the ends (last). */
const writes: Record<'mlflow' | 'v1', Array<[string, Write]>> = {
  mlflow: [
    ['log-metric', (id) => mlflow('runs/log-metric', { run_id: id, key: 'm', value: 1, timestamp: at(), step: 0 })],
    ['log-parameter', (id) => mlflow('runs/log-parameter', { run_id: id, key: 'p', value: '1' })],
    ['set-tag', (id) => mlflow('runs/set-tag', { run_id: id, key: 't', value: 'v' })],
    ['delete-tag', (id) => mlflow('runs/delete-tag', { run_id: id, key: 't' })],
    [
      'log-batch',
      (id) =>
        mlflow('runs/log-batch', {
          run_id: id,
          metrics: [{ key: 'b', value: 2, timestamp: at(), step: 1 }],
          params: [{ key: 'q', value: '2' }],
          tags: [{ key: 'u', value: 'w' }],
        }),
    ],
    [
      'log-inputs',
      (id) =>
        mlflow('runs/log-inputs', {
          run_id: id,
          datasets: [{ dataset: { name: 'train', digest: 'd1', source_type: 'local', source: '{}' } }],
        }),
    ],
    ['log-outputs', (id, modelId) => mlflow('runs/outputs', { run_id: id, models: [{ model_id: modelId, step: 0 }] })],
    ['update (rename)', (id) => mlflow('runs/update', { run_id: id, run_name: 'renamed' })],
    ['update (end)', (id) => mlflow('runs/update', { run_id: id, status: 'FINISHED', end_time: at() })],
  ],
  v1: [
    ['metrics', (id) => local.api.post(`/api/v1/runs/${id}/metrics`, { metric_name: 'm', metric_value: 1 })],
    ['params', (id) => local.api.post(`/api/v1/runs/${id}/params`, { params: { p: '1' } })],
    ['tags', (id) => local.api.post(`/api/v1/runs/${id}/tags`, { tags: { t: 'v' } })],
    ['delete tag', (id) => local.api.delete(`/api/v1/runs/${id}/tags/t`)],
    [
      'batch',
      (id) =>
        local.api.post(`/api/v1/runs/${id}/batch`, {
          params: { q: '2' },
          tags: { u: 'w' },
          metrics: [{ key: 'b', value: 2, step: 1 }],
        }),
    ],
    ['rename', (id) => local.api.patch(`/api/v1/runs/${id}`, { run_name: 'renamed' })],
    ['end', (id) => local.api.patch(`/api/v1/runs/${id}`, { status: 'FINISHED' })],
  ],
};

async function runIn(experimentName: string) {
  const run = await local.api.post('/api/v1/runs', { experiment_name: experimentName, tags: { t: 'v', u: 'x' } });
  expect(run.status).toBe(201);
  const experimentId = run.body.experiment_id as string;
  const model = await mlflow('logged-models', { experiment_id: experimentId, source_run_id: run.body.run_id });
  expect(model.status, JSON.stringify(model.body)).toBe(200);
  return { runId: run.body.run_id as string, experimentId, modelId: model.body.model.info.model_id as string };
}

/** What a write could have changed: the run's status, name, params, metrics and tags. */
async function written(runId: string) {
  const run = (await local.api.get(`/api/v1/runs/${runId}`)).body;
  return { status: run.status, name: run.run_name, params: run.params, metrics: run.metrics, tags: run.tags };
}

describe('writes to a deleted run', () => {
  const cases = (['mlflow', 'v1'] as const).flatMap((api) =>
    writes[api].map(([name, write]) => ({ api, name, write })),
  );

  test.each(cases)(
    '$api $name: refused for a run deleted on its own, and nothing written',
    async ({ api, name, write }) => {
      const { runId, modelId } = await runIn(`deleted-writes-${api}-${name}`);
      expect((await local.api.delete(`/api/v1/runs/${runId}`)).status).toBe(200);
      const before = await written(runId);
      const answer = await write(runId, modelId);
      if (api === 'mlflow') {
        expect([answer.status, answer.body.error_code, answer.body.message]).toEqual([
          400,
          'INVALID_PARAMETER_VALUE',
          `The run ${runId} must be in the 'active' state. Current state is deleted.`,
        ]);
      } else {
        expect([answer.status, answer.body.error.code]).toEqual([409, 'run.deleted']);
      }
      expect(await written(runId)).toEqual(before);
    },
  );

  test.each(['mlflow', 'v1'] as const)(
    '%s: every write is taken for a run deleted only with its experiment (its own stage is active)',
    async (api) => {
      const { runId, experimentId, modelId } = await runIn(`deleted-with-experiment-${api}`);
      expect((await local.api.delete(`/api/v1/experiments/${experimentId}`)).status).toBe(200);
      expect((await local.api.get(`/api/v1/runs/${runId}`)).body.lifecycle_stage).toBe('deleted');
      for (const [name, write] of writes[api]) {
        const answer = await write(runId, modelId);
        expect(answer.status, `${api} ${name}: ${JSON.stringify(answer.body)}`).toBeLessThan(300);
      }
      const after = await written(runId);
      expect(after).toMatchObject({ status: 'FINISHED', name: 'renamed', params: { p: '1', q: '2' } });
      expect(Object.keys(after.metrics).sort()).toEqual(['b', 'm']);
      expect(after.tags).toMatchObject({ u: 'w' });
      expect(Object.hasOwn(after.tags, 't')).toBe(false);
    },
  );
});
