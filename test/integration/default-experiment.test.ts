import { expect, test } from 'vitest';
import { apiClient, useTestStack } from '../support/local-api.ts';

/**
 * The default experiment's id is "0" (MLflow's): the experiments list shows it, so every
 * /api/v1 route that takes an experiment id takes that one, in a path, a query or a body,
 * and naming it creates it in a workspace that has never used it. Before, `POST /runs`
 * and the run searches refused "0" as not 32 hex characters.
 */
const local = useTestStack();

test('"0" names the default experiment in run creation and in both searches, even before it exists', async () => {
  const operator = apiClient(local.stack.url, local.stack.token);
  const created = await operator.post('/api/v1/admin/workspaces', { workspace_id: 'default-experiment' });
  expect(created.status).toBe(201);
  const api = apiClient(local.stack.url, created.body.admin_token.token);

  // A workspace that never named its default experiment: a search of it creates it, and finds nothing.
  const empty = await api.get('/api/v1/runs/search?experiment_id=0');
  expect(empty.status, JSON.stringify(empty.body)).toBe(200);
  expect(empty.body.runs).toEqual([]);

  const started = await api.post('/api/v1/runs', { experiment_id: '0', run_name: 'in-default' });
  expect(started.status, JSON.stringify(started.body)).toBe(201);
  expect(started.body.experiment_id).toBe('0');

  const byQuery = await api.get('/api/v1/runs/search?experiment_id=0');
  expect(byQuery.body.runs.map((run: { run_id: string }) => run.run_id)).toEqual([started.body.run_id]);
  const byBody = await api.post('/api/v1/runs/search', { experiment_ids: ['0'], filter: "run_name = 'in-default'" });
  expect(byBody.status, JSON.stringify(byBody.body)).toBe(200);
  expect(byBody.body.runs.map((run: { run_id: string }) => run.run_id)).toEqual([started.body.run_id]);
  expect((await api.get('/api/v1/experiments/0')).body).toMatchObject({ experiment_name: 'Default', run_count: 1 });

  // Any other id that is not 32 hex characters is still refused, naming the field.
  const refused = await api.post('/api/v1/runs', { experiment_id: '00', run_name: 'x' });
  expect(refused.status).toBe(400);
  expect(refused.body.error.message).toMatch(/^body\.experiment_id: /);
});
