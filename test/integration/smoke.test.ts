import { expect, test } from 'vitest';
import { useTestStack } from '../support/local-api.ts';

const local = useTestStack();

test('a run is created, logged to, ended and read back', async () => {
  const started = await local.api.post('/api/v1/runs', { experiment_name: 'smoke', run_name: 'r1' });
  expect(started.status).toBe(201);
  const runId = started.body.run_id;
  expect(await local.api.post(`/api/v1/runs/${runId}/params`, { params: { lr: 0.01 } })).toMatchObject({
    status: 200,
  });
  const logged = await local.api.post(`/api/v1/runs/${runId}/metrics`, {
    metric_name: 'acc',
    metric_value: 0.9,
    step: 1,
  });
  expect(logged.status).toBe(200);
  const ended = await local.api.patch(`/api/v1/runs/${runId}`, { status: 'FINISHED' });
  expect(ended.status).toBe(200);
  const run = await local.api.get(`/api/v1/runs/${runId}`);
  expect(run.body).toMatchObject({
    status: 'FINISHED',
    params: { lr: '0.01' },
    metrics: { acc: { value: 0.9, step: 1 } },
  });
});
