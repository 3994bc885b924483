import { beforeAll, describe, expect, test } from 'vitest';
import { uploadArtifact } from '../support/artifact-upload.ts';
import { type ApiClient, useTestStack } from '../support/local-api.ts';

/**
 * MLflow's prompt registry over the registry routes, as MLflow 3's client drives it: a prompt is
 * a registered model tagged `mlflow.prompt.is_prompt`, each of its versions a model version of
 * tags alone (the template in `mlflow.prompt.text`) whose source is one of MLflow's placeholders.
 * Such a version has no run and no files; MLflow's searches leave prompts out unless asked.
 */
const local = useTestStack();
let api: ApiClient;

const mlflow = '/api/2.0/mlflow';
const prompt = 'greeting-prompt';
const isPrompt = { key: 'mlflow.prompt.is_prompt', value: 'true' };
const template = (text: string) => [isPrompt, { key: 'mlflow.prompt.text', value: text }];
let runId: string;

beforeAll(async () => {
  api = local.api;
  const created = await api.post(`${mlflow}/registered-models/create`, { name: prompt, tags: [isPrompt] });
  expect(created.status, JSON.stringify(created.body)).toBe(200);
  runId = (await api.post('/api/v1/runs', { experiment_name: 'mlflow-prompts' })).body.run_id;
  await uploadArtifact(api, runId, 'model.pkl', Buffer.from('a model'), 'application/octet-stream', 'model');
}, 60_000);

describe('a prompt version is a version of tags alone', () => {
  test.each(['dummy-source', 'prompt-template'])('from the placeholder %j, answered back as sent', async (source) => {
    const created = await api.post(`${mlflow}/model-versions/create`, {
      name: prompt,
      source,
      description: 'the greeting',
      tags: template('Hello {{name}}'),
    });
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    const version = created.body.model_version;
    expect(version).toMatchObject({ name: prompt, source, run_id: '', status: 'READY', description: 'the greeting' });
    const read = await api.get(`${mlflow}/model-versions/get?name=${prompt}&version=${version.version}`);
    expect(read.body.model_version.tags).toContainEqual({ key: 'mlflow.prompt.text', value: 'Hello {{name}}' });
    const uri = await api.get(`${mlflow}/model-versions/get-download-uri?name=${prompt}&version=${version.version}`);
    expect(uri.body).toEqual({ artifact_uri: source });
  });

  test.each(['s3://bucket/prompt', `runs:/${'0'.repeat(32)}/model`, 'DUMMY-SOURCE'])(
    'from any other source %j: refused in MLflow words, naming it',
    async (source) => {
      const refused = await api.post(`${mlflow}/model-versions/create`, { name: prompt, source, tags: template('x') });
      expect(refused.status).toBe(400);
      expect(refused.body).toEqual({
        error_code: 'INVALID_PARAMETER_VALUE',
        message: `Invalid prompt source: '${source}'. Prompt sources must use an MLflow placeholder.`,
      });
    },
  );

  test('on /api/v1 its source is a prompt, with no run and no files to download', async () => {
    const created = await api.post(`${mlflow}/model-versions/create`, {
      name: prompt,
      source: 'dummy-source',
      tags: template('Bye {{name}}'),
    });
    const number = Number(created.body.model_version.version);
    const version = await api.get(`/api/v1/models/${prompt}/versions/${number}`);
    expect(version.status, JSON.stringify(version.body)).toBe(200);
    expect(version.body).toMatchObject({ source: { kind: 'prompt' }, files: [], size_bytes: 0 });
    expect(version.body.source).not.toHaveProperty('run_id');
    const download = await api.get(`/api/v1/models/${prompt}/versions/${number}/download`);
    expect(download.status, JSON.stringify(download.body)).toBe(200);
    expect(download.body.files).toEqual([]);
  });

  test('a long system prompt is kept whole: templates of tens of thousands of characters', async () => {
    const long = 'You are a careful assistant. '.repeat(2000).slice(0, 50_000);
    const created = await api.post(`${mlflow}/model-versions/create`, {
      name: prompt,
      source: 'dummy-source',
      tags: template(long),
    });
    expect(created.status, JSON.stringify(created.body).slice(0, 300)).toBe(200);
    const read = await api.get(
      `${mlflow}/model-versions/get?name=${prompt}&version=${created.body.model_version.version}`,
    );
    const text = read.body.model_version.tags.find((tag: { key: string }) => tag.key === 'mlflow.prompt.text');
    expect(text.value).toBe(long);
  });

  test('a prompt version cannot be copied into a model: it has no files', async () => {
    const refused = await api.post(`${mlflow}/model-versions/create`, {
      name: prompt,
      source: `models:/${prompt}/1`,
    });
    expect(refused.status).toBe(400);
    expect(refused.body.error_code).toBe('INVALID_PARAMETER_VALUE');
    expect(refused.body.message).toContain("is a prompt's version");
  });

  test('aliases point at prompt versions, and a prompt version is deleted like any other', async () => {
    const created = await api.post(`${mlflow}/model-versions/create`, {
      name: prompt,
      source: 'dummy-source',
      tags: template('Hi'),
    });
    const version = created.body.model_version.version;
    const set = await api.post(`${mlflow}/registered-models/alias`, { name: prompt, alias: 'prod', version });
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    const byAlias = await api.get(`${mlflow}/registered-models/alias?name=${prompt}&alias=prod`);
    expect(byAlias.body.model_version).toMatchObject({ version, source: 'dummy-source' });
    const deleted = await api.call('DELETE', `${mlflow}/model-versions/delete`, { name: prompt, version });
    expect(deleted.status, JSON.stringify(deleted.body)).toBe(200);
    const gone = await api.get(`${mlflow}/model-versions/get?name=${prompt}&version=${version}`);
    expect(gone.status).toBe(404);
  });
});

describe("MLflow's searches leave prompts out unless the filter asks for them", () => {
  test('models', async () => {
    const plain = await api.get(
      `${mlflow}/registered-models/search?filter=${encodeURIComponent(`name = '${prompt}'`)}`,
    );
    expect(plain.body.registered_models ?? []).toEqual([]);
    const asked = await api.get(
      `${mlflow}/registered-models/search?filter=${encodeURIComponent(`tags.\`mlflow.prompt.is_prompt\` = 'true' AND name = '${prompt}'`)}`,
    );
    expect(asked.body.registered_models.map((model: { name: string }) => model.name)).toEqual([prompt]);
  });

  test("versions, as the client's search_prompt_versions asks (tag. and version_number DESC)", async () => {
    const plain = await api.get(`${mlflow}/model-versions/search?filter=${encodeURIComponent(`name = '${prompt}'`)}`);
    expect(plain.body.model_versions ?? []).toEqual([]);
    const filter = `name = '${prompt}' AND tag.\`mlflow.prompt.is_prompt\` = 'true'`;
    const asked = await api.get(
      `${mlflow}/model-versions/search?${new URLSearchParams({ filter, order_by: 'version_number DESC' }).toString()}`,
    );
    expect(asked.status, JSON.stringify(asked.body)).toBe(200);
    const numbers = asked.body.model_versions.map((version: { version: string }) => Number(version.version));
    expect(numbers.length).toBeGreaterThan(0);
    expect(numbers).toEqual([...numbers].sort((a, b) => b - a));
    expect(asked.body.model_versions.every((version: { run_id: string }) => version.run_id === '')).toBe(true);
  });
});
