import { beforeAll, describe, expect, test } from 'vitest';
import { uploadArtifact } from '../support/artifact-upload.ts';
import { type ApiClient, useTestStack } from '../support/local-api.ts';

/**
 * How the MLflow registry routes read a version, an alias and a page size, through HTTP against
 * DynamoDB Local and the S3 server. Each expected answer (status, error_code and message) is what
 * MLflow 3.17.2's server answered to the same request (sqlite store, side by side): it reads a
 * version with Python's int(), finds no version out of range, names the version when the model is
 * missing, words its reserved aliases its own way, and answers `@latest` with the highest version.
 */
const local = useTestStack();
let api: ApiClient;

const mlflow = '/api/2.0/mlflow';
const model = 'refs-model';
const empty = 'refs-empty';
const missing = 'refs-missing';

const query = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
const notFound = (message: string) => ({ status: 404, body: { error_code: 'RESOURCE_DOES_NOT_EXIST', message } });
const invalid = (message: string) => ({ status: 400, body: { error_code: 'INVALID_PARAMETER_VALUE', message } });
const answer = (response: { status: number; body: unknown }) => ({ status: response.status, body: response.body });

beforeAll(async () => {
  api = local.api;
  const run = (await api.post('/api/v1/runs', { experiment_name: 'mlflow-registry-refs' })).body;
  await uploadArtifact(
    api,
    run.run_id,
    'model.pkl',
    Buffer.from('a pickled model'),
    'application/octet-stream',
    'model',
  );
  for (const name of [model, empty]) {
    expect((await api.post(`${mlflow}/registered-models/create`, { name })).status).toBe(200);
  }
  for (let index = 0; index < 2; index++) {
    const created = await api.post(`/api/v1/models/${model}/versions`, {
      run_id: run.run_id,
      artifact_path: 'model.pkl',
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
  }
}, 60_000);

describe('a version is read as MLflow reads it, with int()', () => {
  test.each([
    ['01', '1'],
    [' 2 ', '2'],
    ['+1', '1'],
  ])('%j is version %s', async (sent, version) => {
    const got = await api.get(`${mlflow}/model-versions/get?${query({ name: model, version: sent })}`);
    expect(got.status, JSON.stringify(got.body)).toBe(200);
    expect(got.body.model_version.version).toBe(version);
  });

  test.each(['abc', '1.0', '1e3'])('%j is not an integer: a 400 in its words', async (sent) => {
    const got = await api.get(`${mlflow}/model-versions/get?${query({ name: model, version: sent })}`);
    expect(answer(got)).toEqual(invalid(`Parameter 'version' must be an integer, got '${sent}'.`));
  });

  test('an empty one is missing, as an empty required field is anywhere', async () => {
    const got = await api.get(`${mlflow}/model-versions/get?${query({ name: model, version: '' })}`);
    expect(answer(got)).toEqual(invalid("Missing value for required parameter 'version'."));
    const unnamed = await api.get(`${mlflow}/registered-models/get?${query({ name: '' })}`);
    expect(answer(unnamed)).toEqual(invalid("Missing value for required parameter 'name'."));
  });

  test.each([
    ['0', '0'],
    ['-1', '-1'],
    ['1_0', '10'],
    ['999999999999', '999999999999'],
    ['99999999999999999999999', '99999999999999999999999'],
  ])('%j is read and not found', async (sent, read) => {
    const got = await api.get(`${mlflow}/model-versions/get?${query({ name: model, version: sent })}`);
    expect(answer(got)).toEqual(notFound(`Model Version (name=${model}, version=${read}) not found`));
  });

  test('in a body too', async () => {
    const set = await api.post(`${mlflow}/model-versions/set-tag`, { name: model, version: 'x', key: 'k', value: 'v' });
    expect(answer(set)).toEqual(invalid("Parameter 'version' must be an integer, got 'x'."));
    const moved = await api.post(`${mlflow}/model-versions/transition-stage`, {
      name: model,
      version: '-3',
      stage: 'Production',
      archive_existing_versions: false,
    });
    expect(answer(moved)).toEqual(notFound(`Model Version (name=${model}, version=-3) not found`));
  });
});

describe("a missing model's version is named as the version", () => {
  const expected = notFound(`Model Version (name=${missing}, version=7) not found`);
  test.each([
    ['GET', `model-versions/get?${query({ name: missing, version: '7' })}`, undefined],
    ['GET', `model-versions/get-download-uri?${query({ name: missing, version: '7' })}`, undefined],
    ['PATCH', 'model-versions/update', { name: missing, version: '7', description: 'd' }],
    ['DELETE', 'model-versions/delete', { name: missing, version: '7' }],
    ['POST', 'model-versions/set-tag', { name: missing, version: '7', key: 'k', value: 'v' }],
    ['DELETE', 'model-versions/delete-tag', { name: missing, version: '7', key: 'k' }],
    [
      'POST',
      'model-versions/transition-stage',
      { name: missing, version: '7', stage: 'Staging', archive_existing_versions: false },
    ],
    ['POST', 'registered-models/alias', { name: missing, alias: 'champion', version: '7' }],
  ])('%s %s', async (method, path, body) => {
    expect(answer(await api.call(method, `${mlflow}/${path}`, body))).toEqual(expected);
  });

  test('the file route too', async () => {
    const got = await api.get(`/model-versions/get-artifact?${query({ name: missing, version: '7', path: 'x' })}`);
    expect(answer(got)).toEqual(expected);
  });

  test('/api/v1 still names the model', async () => {
    const got = await api.get(`/api/v1/models/${missing}/versions/7`);
    expect(got.status).toBe(404);
    expect(got.body.error.message).toContain(missing);
  });
});

describe('aliases are refused and read in MLflow words', () => {
  test.each([
    ['latest', "'latest' alias name (case insensitive) is reserved."],
    ['LaTeSt', "'latest' alias name (case insensitive) is reserved."],
    ['v1', "Version alias name 'v1' is reserved."],
    ['V12', "Version alias name 'V12' is reserved."],
    ['a.b', "Invalid alias name: 'a.b'. Names may only contain alphanumerics, underscores (_), and dashes (-)."],
  ])('setting %j', async (alias, message) => {
    const set = await api.post(`${mlflow}/registered-models/alias`, { name: model, alias, version: '1' });
    expect(answer(set)).toEqual(invalid(message));
  });

  test('a number stays refused, in Stratus words (/api/v1 and `stratus models` read it as a version)', async () => {
    const set = await api.post(`${mlflow}/registered-models/alias`, { name: model, alias: '7', version: '1' });
    expect(set.status).toBe(400);
    expect(set.body.error_code).toBe('INVALID_PARAMETER_VALUE');
    expect(set.body.message).toMatch(/'alias'.*reserved/);
  });

  test('@latest is the highest version', async () => {
    for (const alias of ['latest', 'Latest']) {
      const got = await api.get(`${mlflow}/registered-models/alias?${query({ name: model, alias })}`);
      expect(got.status, JSON.stringify(got.body)).toBe(200);
      expect(got.body.model_version.version).toBe('2');
    }
    const none = await api.get(`${mlflow}/registered-models/alias?${query({ name: empty, alias: 'latest' })}`);
    expect(answer(none)).toEqual(notFound(`Latest version not found for model ${empty}.`));
  });

  test('a version-like alias is not found; a bad one is refused', async () => {
    const version = await api.get(`${mlflow}/registered-models/alias?${query({ name: model, alias: 'v1' })}`);
    expect(answer(version)).toEqual(invalid('Registered model alias v1 not found.'));
    const bad = await api.get(`${mlflow}/registered-models/alias?${query({ name: model, alias: 'a b' })}`);
    expect(answer(bad)).toEqual(
      invalid("Invalid alias name: 'a b'. Names may only contain alphanumerics, underscores (_), and dashes (-)."),
    );
  });

  test('deleting a reserved alias is a no-op of a model that exists', async () => {
    for (const alias of ['latest', 'v1']) {
      const deleted = await api.call('DELETE', `${mlflow}/registered-models/alias`, { name: model, alias });
      expect(answer(deleted)).toEqual({ status: 200, body: {} });
    }
    const gone = await api.call('DELETE', `${mlflow}/registered-models/alias`, { name: missing, alias: 'latest' });
    expect(answer(gone)).toEqual(notFound(`Registered Model with name=${missing} not found`));
  });
});

describe('a page size below 1', () => {
  test.each(['0', '-1'])(
    'registered-models/search?max_results=%s finds nothing, with no token to follow',
    async (size) => {
      const got = await api.get(`${mlflow}/registered-models/search?max_results=${size}`);
      expect(answer(got)).toEqual({ status: 200, body: { registered_models: [] } });
    },
  );

  test.each(['0', '-1'])('model-versions/search?max_results=%s is refused in its words', async (size) => {
    const got = await api.get(`${mlflow}/model-versions/search?max_results=${size}`);
    expect(answer(got)).toEqual(
      invalid(`Invalid value for max_results. It must be a positive integer, but got ${size}`),
    );
  });
});
