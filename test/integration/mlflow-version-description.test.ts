import { beforeAll, expect, test } from 'vitest';
import { uploadArtifact } from '../support/artifact-upload.ts';
import { type ApiClient, useTestStack } from '../support/local-api.ts';

/**
 * A model version registered without a description: MLflow 3.17's server answers it as
 * `"description": ""` on every route that returns a version (its client then reads "",
 * not None), while a registered model without one has no `description` field.
 */
const local = useTestStack();
let api: ApiClient;
const mlflow = '/api/2.0/mlflow';
const name = 'undescribed';
const query = (params: Record<string, string>) => new URLSearchParams(params).toString();

beforeAll(async () => {
  api = local.api;
  const run = await api.post('/api/v1/runs', { experiment_name: 'version-description', run_name: 'train' });
  const runId: string = run.body.run_id;
  await uploadArtifact(api, runId, 'model.pkl', Buffer.from('a pickled model'), 'application/octet-stream', 'model');
  expect((await api.post(`${mlflow}/registered-models/create`, { name })).status).toBe(200);
  const created = await api.post(`${mlflow}/model-versions/create`, {
    name,
    source: `runs:/${runId}/model.pkl`,
    run_id: runId,
  });
  expect(created.status, JSON.stringify(created.body)).toBe(200);
  expect(created.body.model_version.description).toBe('');
});

test('every MLflow route answering a version gives an undescribed one "" as its description', async () => {
  const answers = [
    (await api.get(`${mlflow}/model-versions/get?${query({ name, version: '1' })}`)).body.model_version,
    ...(await api.get(`${mlflow}/model-versions/search?${query({ filter: `name = '${name}'` })}`)).body.model_versions,
    ...(await api.post(`${mlflow}/registered-models/get-latest-versions`, { name })).body.model_versions,
    ...(await api.get(`${mlflow}/registered-models/get?${query({ name })}`)).body.registered_model.latest_versions,
    ...(await api.get(`${mlflow}/registered-models/search?${query({ filter: `name = '${name}'` })}`)).body
      .registered_models[0].latest_versions,
    (
      await api.post(`${mlflow}/model-versions/transition-stage`, {
        name,
        version: '1',
        stage: 'Staging',
        archive_existing_versions: false,
      })
    ).body.model_version,
  ];
  expect((await api.post(`${mlflow}/registered-models/alias`, { name, alias: 'champion', version: '1' })).status).toBe(
    200,
  );
  answers.push(
    (await api.get(`${mlflow}/registered-models/alias?${query({ name, alias: 'champion' })}`)).body.model_version,
  );
  expect(answers).toHaveLength(7);
  for (const version of answers) expect(version).toMatchObject({ name, version: '1', description: '' });

  // A registered model without a description still has no field, as on MLflow.
  const model = (await api.get(`${mlflow}/registered-models/get?${query({ name })}`)).body.registered_model;
  expect(model).not.toHaveProperty('description');
});

test('a description set on a version is answered as set', async () => {
  const updated = await api.patch(`${mlflow}/model-versions/update`, { name, version: '1', description: 'checked' });
  expect(updated.body.model_version.description).toBe('checked');
  const got = await api.get(`${mlflow}/model-versions/get?${query({ name, version: '1' })}`);
  expect(got.body.model_version.description).toBe('checked');
});
