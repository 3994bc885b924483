import { beforeAll, describe, expect, test } from 'vitest';
import { uploadArtifact } from '../support/artifact-upload.ts';
import { type ApiClient, useTestStack } from '../support/local-api.ts';

/**
 * MLflow's `latest_versions` (the highest version in each stage) through HTTP,
 * against DynamoDB Local and the S3 server: on registered-models/get and /search,
 * and get-latest-versions, in the order MLflow's server answers. The orders were
 * read off MLflow 3.17's SQLAlchemy store on SQLite with the versions and stages
 * below: get and get-latest-versions walk the versions oldest first, so a stage
 * comes where its lowest version puts it; search takes a window function
 * partitioned by stage, which answers in stage-name order.
 */
const local = useTestStack();
let api: ApiClient;
let runId: string;

const mlflowModels = '/api/2.0/mlflow/registered-models';
const stagesOf = (versions: { version: string; current_stage: string }[] | undefined) =>
  (versions ?? []).map((version) => [version.version, version.current_stage]);

async function register(name: string, count: number) {
  expect((await api.post(`${mlflowModels}/create`, { name })).status).toBe(200);
  for (let index = 0; index < count; index++) {
    const created = await api.post(`/api/v1/models/${encodeURIComponent(name)}/versions`, {
      run_id: runId,
      artifact_path: 'model.pkl',
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
  }
}

async function transition(name: string, version: number, stage: string) {
  const moved = await api.post('/api/2.0/mlflow/model-versions/transition-stage', {
    name,
    version: String(version),
    stage,
    archive_existing_versions: false,
  });
  expect(moved.status, JSON.stringify(moved.body)).toBe(200);
}

beforeAll(async () => {
  api = local.api;
  const run = await api.post('/api/v1/runs', { experiment_name: 'latest-versions', run_name: 'train' });
  runId = run.body.run_id;
  await uploadArtifact(api, runId, 'model.pkl', Buffer.from('a pickled model'), 'application/octet-stream', 'model');

  // Stages by version: 1 Production, 2 None, 3 Staging (then 5 takes over), 4 Archived, 5 Staging.
  await register('staged', 5);
  await transition('staged', 1, 'Production');
  await transition('staged', 3, 'Staging');
  await transition('staged', 4, 'Archived');
  await transition('staged', 5, 'Staging');
  await register('fresh', 2);
  await register('empty', 0);
  expect((await api.post(`${mlflowModels}/alias`, { name: 'staged', alias: 'champion', version: '1' })).status).toBe(
    200,
  );
});

describe('MLflow latest_versions', () => {
  test('get-latest-versions: the highest version per stage, stages ordered by their lowest version', async () => {
    const all = await api.post(`${mlflowModels}/get-latest-versions`, { name: 'staged' });
    expect(all.status).toBe(200);
    expect(stagesOf(all.body.model_versions)).toEqual([
      ['1', 'Production'],
      ['2', 'None'],
      ['5', 'Staging'],
      ['4', 'Archived'],
    ]);
    // The stages asked filter the answer; they do not order it (nor does their letter case matter).
    const some = await api.post(`${mlflowModels}/get-latest-versions`, {
      name: 'staged',
      stages: ['archived', 'Production'],
    });
    expect(stagesOf(some.body.model_versions)).toEqual([
      ['1', 'Production'],
      ['4', 'Archived'],
    ]);
    // Each version is whole: its aliases and source come along.
    expect(all.body.model_versions[0]).toMatchObject({ name: 'staged', aliases: ['champion'], run_id: runId });
    const none = await api.post(`${mlflowModels}/get-latest-versions`, { name: 'fresh', stages: ['Production'] });
    expect(none.status).toBe(200);
    expect(none.body.model_versions ?? []).toEqual([]);
  });

  test('get-latest-versions by GET, as MLflow serves it too: the same answer, stages repeated in the query', async () => {
    const byPost = await api.post(`${mlflowModels}/get-latest-versions`, { name: 'staged' });
    const byGet = await api.get(`${mlflowModels}/get-latest-versions?name=staged`);
    expect(byGet.status, JSON.stringify(byGet.body)).toBe(200);
    expect(byGet.body).toEqual(byPost.body);
    const some = await api.get(`${mlflowModels}/get-latest-versions?name=staged&stages=archived&stages=Production`);
    expect(stagesOf(some.body.model_versions)).toEqual([
      ['1', 'Production'],
      ['4', 'Archived'],
    ]);
    const ajax = await api.get(`/ajax-api/2.0/mlflow/registered-models/get-latest-versions?name=staged&stages=None`);
    expect(stagesOf(ajax.body.model_versions)).toEqual([['2', 'None']]);
    const missing = await api.get(`${mlflowModels}/get-latest-versions?name=nobody`);
    expect(missing.status).toBe(404);
    expect(missing.body.error_code).toBe('RESOURCE_DOES_NOT_EXIST');
    const unnamed = await api.get(`${mlflowModels}/get-latest-versions`);
    expect(unnamed.status).toBe(400);
    expect(unnamed.body.message).toMatch(/^Missing value for required parameter 'name'/);
  });

  test('registered-models/get lists latest_versions in the same order', async () => {
    const got = await api.get(`${mlflowModels}/get?name=staged`);
    expect(stagesOf(got.body.registered_model.latest_versions)).toEqual([
      ['1', 'Production'],
      ['2', 'None'],
      ['5', 'Staging'],
      ['4', 'Archived'],
    ]);
    const empty = await api.get(`${mlflowModels}/get?name=empty`);
    expect(empty.body.registered_model.latest_versions).toBeUndefined();
  });

  test('update and rename answer with latest_versions too, as MLflow does', async () => {
    const updated = await api.patch(`${mlflowModels}/update`, { name: 'staged', description: 'staged model' });
    expect(updated.status).toBe(200);
    expect(stagesOf(updated.body.registered_model.latest_versions)).toEqual([
      ['1', 'Production'],
      ['2', 'None'],
      ['5', 'Staging'],
      ['4', 'Archived'],
    ]);
    await register('renamed-before', 1);
    const renamed = await api.post(`${mlflowModels}/rename`, { name: 'renamed-before', new_name: 'renamed-after' });
    expect(renamed.status).toBe(200);
    expect(renamed.body.registered_model.name).toBe('renamed-after');
    expect(renamed.body.registered_model.latest_versions).toMatchObject([
      { name: 'renamed-after', version: '1', current_stage: 'None' },
    ]);
  });

  test('registered-models/search gives every model of the page its latest_versions, in stage-name order', async () => {
    const searched = await api.get(`${mlflowModels}/search?max_results=10`);
    expect(searched.status).toBe(200);
    const byName = new Map(
      (searched.body.registered_models as { name: string; latest_versions?: never }[]).map((model) => [
        model.name,
        stagesOf(model.latest_versions),
      ]),
    );
    expect(byName.get('staged')).toEqual([
      ['4', 'Archived'],
      ['2', 'None'],
      ['1', 'Production'],
      ['5', 'Staging'],
    ]);
    expect(byName.get('fresh')).toEqual([['2', 'None']]);
    expect(byName.get('empty')).toEqual([]);
    // The exact-name form (one read, no page) answers the same.
    const one = await api.get(`${mlflowModels}/search?filter=${encodeURIComponent("name = 'fresh'")}`);
    expect(stagesOf(one.body.registered_models[0].latest_versions)).toEqual([['2', 'None']]);
  });

  test('a deleted version leaves latest_versions; the next highest in its stage takes its place', async () => {
    await register('shrinking', 3);
    await transition('shrinking', 1, 'Production');
    await transition('shrinking', 2, 'Production');
    const deleted = await api.delete(`/api/v1/models/shrinking/versions/2`);
    expect(deleted.status).toBe(200);
    const searched = await api.get(`${mlflowModels}/search?filter=${encodeURIComponent("name LIKE 'shrink%'")}`);
    expect(stagesOf(searched.body.registered_models[0].latest_versions)).toEqual([
      ['3', 'None'],
      ['1', 'Production'],
    ]);
    const latest = await api.post(`${mlflowModels}/get-latest-versions`, { name: 'shrinking' });
    expect(stagesOf(latest.body.model_versions)).toEqual([
      ['1', 'Production'],
      ['3', 'None'],
    ]);
  });
});
