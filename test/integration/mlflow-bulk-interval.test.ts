import { expect, test } from 'vitest';
import { mlflowLimits } from '../../shared/http/mlflow/fields.ts';
import { type ApiClient, useTestStack } from '../support/local-api.ts';
import { bulkIntervalCases } from '../support/mlflow-bulk-interval-cases.ts';

/**
 * MLflow's get-history-bulk-interval through HTTP, against the answers of
 * MLflow 3.17.2's own sampling for the same histories
 * (test/support/mlflow-bulk-interval-reference.json): every reference case is
 * logged into real runs and asked for as MLflow's REST tests ask.
 */
const local = useTestStack();

const cases = bulkIntervalCases;

async function createRun(api: ApiClient, experimentId: string): Promise<string> {
  const created = await api.post('/api/2.0/mlflow/runs/create', { experiment_id: experimentId });
  expect(created.status).toBe(200);
  return created.body.run.info.run_id as string;
}

async function logPoints(api: ApiClient, runId: string, points: ReadonlyArray<readonly [number, number, number]>) {
  for (let from = 0; from < points.length; from += mlflowLimits.batchMetrics) {
    const metrics = points
      .slice(from, from + mlflowLimits.batchMetrics)
      .map(([step, timestamp, value]) => ({ key: 'm', value, timestamp, step }));
    const logged = await api.post('/api/2.0/mlflow/runs/log-batch', { run_id: runId, metrics });
    expect(logged.status, JSON.stringify(logged.body)).toBe(200);
  }
}

const bulkInterval = (api: ApiClient, runIds: readonly string[], parameters: Record<string, number>) =>
  api.get(
    `/api/2.0/mlflow/metrics/get-history-bulk-interval?${new URLSearchParams([
      ...runIds.map((runId): [string, string] => ['run_ids', runId]),
      ['metric_key', 'm'] as [string, string],
      ...Object.entries(parameters).map(([name, value]): [string, string] => [name, String(value)]),
    ])}`,
  );

test.each(cases.map((c) => [c.label, c] as const))("%s: MLflow's answer", async (label, c) => {
  const { api } = local;
  const experiment = await api.post('/api/2.0/mlflow/experiments/create', { name: `bulk ${label}` });
  const runIds = new Map<string, string>();
  for (const name of c.run_ids) {
    const runId = await createRun(api, experiment.body.experiment_id);
    runIds.set(name, runId);
    await logPoints(api, runId, c.runs[name] ?? []);
  }
  const response = await bulkInterval(api, [...runIds.values()], {
    max_results: c.max_results,
    ...(c.start === null ? {} : { start_step: c.start }),
    ...(c.end === null ? {} : { end_step: c.end }),
  });
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  expect(response.body.metrics).toEqual(
    c.expected.map(([name, step, timestamp, value]) => ({
      key: 'm',
      value,
      timestamp,
      step,
      run_id: runIds.get(name),
    })),
  );
});

test('past the points read whole, each run is downsampled from its rollups: bounded, first and last kept', async () => {
  const { api } = local;
  const experiment = await api.post('/api/2.0/mlflow/experiments/create', { name: 'bulk long' });
  const runId = await createRun(api, experiment.body.experiment_id);
  const total = mlflowLimits.bulkIntervalExactPoints + 1;
  await logPoints(
    api,
    runId,
    Array.from({ length: total }, (_, step) => [step, 1, Math.sin(step)] as const),
  );
  const response = await bulkInterval(api, [runId], { max_results: 40 });
  expect(response.status).toBe(200);
  const steps = (response.body.metrics as Array<{ step: number }>).map((metric) => metric.step);
  expect(steps.length).toBeLessThanOrEqual(40);
  expect(steps.length).toBeGreaterThan(20);
  expect([steps[0], steps.at(-1)]).toEqual([0, total - 1]);
}, 120_000);

test("a range has both ends or none, in MLflow's words (a negative end alone was a 500)", async () => {
  const { api } = local;
  const experiment = await api.post('/api/2.0/mlflow/experiments/create', { name: 'bulk one end' });
  const runId = await createRun(api, experiment.body.experiment_id);
  await logPoints(api, runId, [[0, 1, 1.5]]);
  for (const [given, missing] of [
    [{ end_step: -5 }, 'start_step'],
    [{ start_step: 1 }, 'end_step'],
  ] as const) {
    const response = await bulkInterval(api, [runId], given);
    expect(response.status, JSON.stringify(given)).toBe(400);
    expect(response.body).toEqual({
      error_code: 'INVALID_PARAMETER_VALUE',
      message: `If either start step or end step are specified, both must be specified. Missing: '${missing}'.`,
    });
  }
  const both = await bulkInterval(api, [runId], { start_step: -10, end_step: -5 });
  expect([both.status, both.body]).toEqual([200, { metrics: [] }]);
});

test("a range out of order is refused in MLflow's words", async () => {
  const { api } = local;
  const experiment = await api.post('/api/2.0/mlflow/experiments/create', { name: 'bulk out of order' });
  const runId = await createRun(api, experiment.body.experiment_id);
  const response = await bulkInterval(api, [runId], { start_step: 1, end_step: 0, max_results: 5 });
  expect(response.status).toBe(400);
  expect(response.body.error_code).toBe('INVALID_PARAMETER_VALUE');
  // MLflow's REST test looks for this part, the trailing space included.
  expect(response.body.message).toContain('end_step must be greater than start_step. ');
  expect(response.body.message).toMatch(/parameter 'start_step'.*Found start_step=1 and end_step=0\.$/);
});
