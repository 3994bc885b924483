import { expect } from 'vitest';
import type { ApiClient } from './local-api.ts';

/** A new experiment and a run in it, made through MLflow's routes as a job's client makes them. */
export async function newMlflowRun(api: ApiClient, prefix: string) {
  const mlflow = (path: string, body: unknown) => api.post(`/api/2.0/mlflow/${path}`, body);
  const experimentId = (await mlflow('experiments/create', { name: `${prefix}-${Date.now()}-${Math.random()}` })).body
    .experiment_id as string;
  const runId = (await mlflow('runs/create', { experiment_id: experimentId, start_time: 1 })).body.run.info
    .run_id as string;
  return { experimentId, runId };
}

/** A logged model of the run (MLflow 3's log_model starts so), with any other fields of MLflow's request. */
export async function newLoggedModel(
  api: ApiClient,
  experimentId: string,
  runId: string,
  name: string,
  extra: Record<string, unknown> = {},
): Promise<string> {
  const created = await api.post('/api/2.0/mlflow/logged-models', {
    experiment_id: experimentId,
    name,
    source_run_id: runId,
    ...extra,
  });
  expect(created.status, JSON.stringify(created.body)).toBe(200);
  return created.body.model.info.model_id as string;
}
