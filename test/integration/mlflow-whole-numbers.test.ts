import { beforeAll, expect, test } from 'vitest';
import { useTestStack } from '../support/local-api.ts';

/**
 * A point's `step` and `timestamp` are MLflow's int64s. MLflow 3.17's server reads a JSON number
 * that is not whole (`1.5`) as no value and stores 0 in its place (found by sending it the same
 * requests), which moves the point to step 0 or to 1970: Stratus refuses it naming the field, and
 * stores nothing of the request. A whole number however written (`2.0`, `"3"`) is taken, as there.
 */
const local = useTestStack();
const mlflow = (path: string, body: unknown) => local.api.post(`/api/2.0/mlflow/${path}`, body);
let runId: string;

beforeAll(async () => {
  const experiment = await mlflow('experiments/create', { name: `whole-numbers-${Date.now()}` });
  const run = await mlflow('runs/create', { experiment_id: experiment.body.experiment_id });
  runId = run.body.run.info.run_id;
});

const history = async (key: string) =>
  (await local.api.get(`/api/2.0/mlflow/metrics/get-history?run_id=${runId}&metric_key=${key}`)).body.metrics ?? [];

const sent = {
  'log-metric': (key: string, field: object) => ({ run_id: runId, key, value: 1, timestamp: 5, step: 0, ...field }),
  'log-batch': (key: string, field: object) => ({
    run_id: runId,
    metrics: [{ key, value: 1, timestamp: 5, step: 0, ...field }],
  }),
};

test.each(
  (['log-metric', 'log-batch'] as const).flatMap((route) =>
    (['step', 'timestamp'] as const).flatMap((field) =>
      [1.5, -0.5, '2.5'].map((value) => [route, field, value] as const),
    ),
  ),
)('%s with %s %j: 400 naming it, nothing stored', async (route, field, value) => {
  const key = `refused-${route}-${field}-${String(value)}`;
  const answer = await mlflow(`runs/${route}`, sent[route](key, { [field]: value }));
  expect(answer.status).toBe(400);
  expect(answer.body.error_code).toBe('INVALID_PARAMETER_VALUE');
  expect(answer.body.message).toMatch(new RegExp(`parameter '(metrics\\[0\\]\\.)?${field}'`));
  expect(await history(key)).toEqual([]);
});

test.each(['log-metric', 'log-batch'] as const)('%s takes whole numbers written 2.0 or "3"', async (route) => {
  const key = `whole-${route}`;
  expect((await mlflow(`runs/${route}`, sent[route](key, { step: 2.0, timestamp: '3' }))).status).toBe(200);
  expect(await history(key)).toEqual([{ key, value: 1, timestamp: 3, step: 2 }]);
});
