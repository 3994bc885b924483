import { expect, test } from 'vitest';
import { MAX_WRITTEN_STEP } from '../../shared/http/schemas/text.ts';
import { useTestStack } from '../support/local-api.ts';

/**
 * Steps at both ends of the range a point is written at (±(2^52 − 1)), alone and together in one
 * batch, in both APIs: each lands and reads back. At ±(2^53 − 1), the range before, a step within
 * 511 of the lowest or a batch spanning both ends was a 500 (a stored block start or step width
 * past the safe integers); beyond the range is a 400 naming the step.
 */
const local = useTestStack();

test('the lowest and highest steps land, alone and in one batch, and read back', async () => {
  const low = -MAX_WRITTEN_STEP;
  const high = MAX_WRITTEN_STEP;
  const batches = [[low], [low + 1], [low + 511], [high], [low, high], [low + 3, 0, high - 3]];
  for (const steps of batches) {
    const run = await local.api.post('/api/v1/runs', { experiment_name: 'step-extremes' });
    const logged = await local.api.post(`/api/v1/runs/${run.body.run_id}/metrics`, {
      metrics: steps.map((step, i) => ({ key: 'x', value: i, step })),
    });
    expect(logged.status, `${steps}: ${JSON.stringify(logged.body)}`).toBe(200);
    // A later batch beside them, as a job goes on logging.
    const more = await local.api.post(`/api/v1/runs/${run.body.run_id}/metrics`, {
      metrics: steps.map((step, i) => ({ key: 'x', value: 10 + i, step, timestamp: 5 })),
    });
    expect(more.status, `${steps} again: ${JSON.stringify(more.body)}`).toBe(200);
    const history = await local.api.get(`/api/v1/runs/${run.body.run_id}/metrics/x?max_results=100`);
    expect(history.status).toBe(200);
    expect(history.body.points.map((point: { step: number }) => point.step)).toEqual(
      [...steps, ...steps].sort((a, b) => a - b),
    );
    const chart = await local.api.get(`/api/v1/runs/${run.body.run_id}/metrics/x?max_points=10`);
    expect(chart.status, JSON.stringify(chart.body)).toBe(200);
    expect(chart.body.points.length).toBe(steps.length * 2);
  }
  const mlflowRun = await local.api.post('/api/2.0/mlflow/runs/create', { experiment_id: '0' });
  const mlflow = await local.api.post('/api/2.0/mlflow/runs/log-metric', {
    run_id: mlflowRun.body.run.info.run_id,
    key: 'x',
    value: 1,
    timestamp: 1,
    step: low,
  });
  expect(mlflow.status, JSON.stringify(mlflow.body)).toBe(200);
  const started = await local.api.post('/api/v1/runs', {
    experiment_name: 'step-extremes',
    metrics: [{ key: 'x', value: 1, step: low }],
  });
  expect(started.status, JSON.stringify(started.body)).toBe(201);
});

test('a step beyond the range is a 400 naming it, in both APIs', async () => {
  const run = await local.api.post('/api/v1/runs', { experiment_name: 'step-extremes' });
  for (const step of [MAX_WRITTEN_STEP + 1, -MAX_WRITTEN_STEP - 1, Number.MIN_SAFE_INTEGER]) {
    const v1 = await local.api.post(`/api/v1/runs/${run.body.run_id}/metrics`, {
      metrics: [{ key: 'x', value: 1, step }],
    });
    expect(v1.status, String(step)).toBe(400);
    expect(v1.body.error.message).toBe(
      `body.metrics[0].step: must be an integer within ±${MAX_WRITTEN_STEP} (2^52 − 1)`,
    );
    const mlflow = await local.api.post('/api/2.0/mlflow/runs/log-batch', {
      run_id: run.body.run_id,
      metrics: [{ key: 'x', value: 1, timestamp: 1, step }],
    });
    expect(mlflow.status, String(step)).toBe(400);
    expect(mlflow.body.error_code).toBe('INVALID_PARAMETER_VALUE');
  }
});
