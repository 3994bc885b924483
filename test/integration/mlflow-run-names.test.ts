import { beforeAll, expect, test } from 'vitest';
import { useTestStack } from '../support/local-api.ts';

/**
 * A run's name through runs/create and runs/update as MLflow 3.17's server reads it (found by
 * sending it the same requests): `run_name` and an `mlflow.runName` tag that differ are a 400
 * with MLflow's words, not one chosen over the other; an empty `run_name` is no name (a new run
 * gets a generated one, an update keeps the name), where Stratus answered 400.
 */
const local = useTestStack();
const mlflow = (path: string, body: unknown) => local.api.post(`/api/2.0/mlflow/${path}`, body);
let experimentId: string;

beforeAll(async () => {
  const created = await mlflow('experiments/create', { name: `run-names-${Date.now()}` });
  expect(created.status).toBe(200);
  experimentId = created.body.experiment_id;
});

const runNameTag = (value: string) => [{ key: 'mlflow.runName', value }];

test('run_name and a different mlflow.runName tag are refused in MLflow words', async () => {
  const answer = await mlflow('runs/create', { experiment_id: experimentId, run_name: 'x1', tags: runNameTag('x2') });
  expect(answer.status).toBe(400);
  expect(answer.body).toEqual({
    error_code: 'INVALID_PARAMETER_VALUE',
    message:
      "Both 'run_name' argument and 'mlflow.runName' tag are specified, but with different values " +
      "(run_name='x1', mlflow.runName='x2').",
  });
  const runs = await mlflow('runs/search', { experiment_ids: [experimentId] });
  expect(runs.body.runs ?? []).toEqual([]);
});

test.each([
  ['run_name alone', { run_name: 'solo' }, 'solo'],
  ['the tag alone', { tags: runNameTag('tagged') }, 'tagged'],
  ['both, equal', { run_name: 'same', tags: runNameTag('same') }, 'same'],
  ['an empty run_name beside the tag', { run_name: '', tags: runNameTag('from-tag') }, 'from-tag'],
])('%s names the run', async (_, fields, name) => {
  const answer = await mlflow('runs/create', { experiment_id: experimentId, ...fields });
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  expect(answer.body.run.info.run_name).toBe(name);
  expect(answer.body.run.data.tags).toContainEqual({ key: 'mlflow.runName', value: name });
});

test('an empty run_name gets a generated name, and an update with one keeps the name', async () => {
  const created = await mlflow('runs/create', { experiment_id: experimentId, run_name: '' });
  expect(created.status, JSON.stringify(created.body)).toBe(200);
  const { run_id: runId, run_name: generated } = created.body.run.info;
  expect(generated).toMatch(/\S/);
  const updated = await mlflow('runs/update', { run_id: runId, run_name: '' });
  expect(updated.status, JSON.stringify(updated.body)).toBe(200);
  expect(updated.body.run_info.run_name).toBe(generated);
});

test("a name past /api/v1's 250 characters, to its mlflow.runName tag's 8,000: kept whole, as MLflow keeps it", async () => {
  const long = `${'é'.repeat(299)}x`;
  const created = await mlflow('runs/create', { experiment_id: experimentId, run_name: long });
  expect(created.status, JSON.stringify(created.body).slice(0, 300)).toBe(200);
  const runId = created.body.run.info.run_id as string;
  const read = await local.api.get(`/api/2.0/mlflow/runs/get?run_id=${runId}`);
  expect(read.body.run.info.run_name).toBe(long);
  expect(read.body.run.data.tags).toContainEqual({ key: 'mlflow.runName', value: long });
  const longest = 'n'.repeat(8000);
  const updated = await mlflow('runs/update', { run_id: runId, run_name: longest });
  expect(updated.status).toBe(200);
  expect(updated.body.run_info.run_name).toBe(longest);
  const found = await mlflow('runs/search', {
    experiment_ids: [experimentId],
    filter: `attributes.run_name = '${longest}'`,
  });
  expect(found.body.runs.map((run: { info: { run_id: string } }) => run.info.run_id)).toEqual([runId]);
  for (const path of ['runs/create', 'runs/update']) {
    const tooLong = await mlflow(path, { experiment_id: experimentId, run_id: runId, run_name: 'n'.repeat(8001) });
    expect(tooLong.status, path).toBe(400);
    expect(tooLong.body.error_code).toBe('INVALID_PARAMETER_VALUE');
    expect(tooLong.body.message).toMatch(/parameter 'run_name'/);
  }
});
