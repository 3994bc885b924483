import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, test } from 'vitest';
import type { RouteDefinition } from '../../shared/http/route-definition.ts';
import { routeList, routes } from '../../shared/http/route-table.ts';
import { registryLimits } from '../../shared/domain/registry.ts';
import { type ApiClient, type ApiResponse, apiClient, useTestStack } from '../support/local-api.ts';

/**
 * Every failure of MLflow's registry routes answers MLflow's own error code,
 * through HTTP against DynamoDB Local and the S3 server: one row per failure, and
 * every MLflow route served by a registry function has rows. The codes are
 * those MLflow's server uses (mlflow/store/model_registry/sqlalchemy_store.py,
 * mlflow/server/handlers.py); the statuses are MLflow's, except that its 500
 * for INVALID_STATE and RESOURCE_LIMIT_EXCEEDED is a 400 here (docs/registry.md).
 */
const MiB = 1024 * 1024;
const local = useTestStack({ multipartThresholdBytes: 5 * MiB, partSizeBytes: 5 * MiB });
let api: ApiClient;
let writer: ApiClient;
let reader: ApiClient;

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const tagList = (count: number, prefix = 't') =>
  Array.from({ length: count }, (_, index) => ({ key: `${prefix}${index}`, value: 'v' }));

interface Fixture {
  runId: string;
  experimentId: string;
  deletedRunId: string;
  /** A model with version 1 (from `model/`) and alias `champion`. */
  model: string;
  other: string;
  /** A model with the most tags a model may have, and its version 1 with the most a version may have. */
  fullOfTags: string;
  /** A model with the most aliases a model may have. */
  fullOfAliases: string;
}
let f: Fixture;

/** Plans, uploads and completes an artifact through /api/v1 (or only plans it). */
async function logArtifact(
  runId: string,
  path: string,
  bytes: Buffer,
  options: { declare?: string; upload?: boolean } = {},
) {
  const plan = await api.post(`/api/v1/runs/${runId}/artifacts`, {
    path,
    artifact_type: 'model',
    size_bytes: bytes.length,
    sha256: options.declare ?? sha256(bytes),
  });
  expect(plan.status, JSON.stringify(plan.body)).toBe(201);
  const upload = plan.body.upload;
  if (options.upload === false) return;
  if (upload.kind === 'single') {
    expect((await fetch(upload.url, { method: 'PUT', headers: upload.headers, body: bytes })).status).toBe(200);
    expect((await api.post(`/api/v1/runs/${runId}/artifacts/complete`, { path })).status).toBe(200);
    return;
  }
  const parts = [];
  for (const part of upload.parts) {
    const start = (part.part_number - 1) * upload.part_size_bytes;
    const put = await fetch(part.url, { method: 'PUT', body: bytes.subarray(start, start + part.size_bytes) });
    parts.push({ part_number: part.part_number, etag: put.headers.get('etag') });
  }
  const done = await api.post(`/api/v1/runs/${runId}/artifacts/complete`, {
    path,
    upload_id: upload.upload_id,
    parts,
  });
  expect(done.status, JSON.stringify(done.body)).toBe(200);
}

/** Calls an MLflow route as its definition says: GET/DELETE-less query for GET, a JSON body otherwise. */
function mlflow(client: ApiClient, route: RouteDefinition, input: Record<string, unknown>): Promise<ApiResponse> {
  if (route.method === 'GET') {
    const query = new URLSearchParams(
      Object.entries(input).map(([key, value]): [string, string] => [key, String(value)]),
    );
    return client.get(`${route.path}?${query}`);
  }
  return client.call(route.method, route.path, input);
}

beforeAll(async () => {
  api = local.api;
  const write = await api.post('/api/v1/admin/tokens', { scope: 'write', name: 'writer' });
  const read = await api.post('/api/v1/admin/tokens', { scope: 'read', name: 'reader' });
  writer = apiClient(local.stack.url, write.body.token);
  reader = apiClient(local.stack.url, read.body.token);

  const run = (await api.post('/api/v1/runs', { experiment_name: 'mlflow-registry-errors' })).body;
  await logArtifact(run.run_id, 'model/MLmodel', Buffer.from('flavors: {}\n'));
  await logArtifact(run.run_id, 'model/model.pkl', Buffer.from('weights'));
  await logArtifact(run.run_id, 'pending.bin', Buffer.from('not yet'), { upload: false });
  // A multipart upload S3 does not check: its declared SHA-256 is not the bytes', which registration finds.
  await logArtifact(run.run_id, 'misdeclared.bin', Buffer.alloc(6 * MiB, 7), { declare: sha256(Buffer.from('x')) });
  const crowd = Array.from({ length: registryLimits.filesPerVersion + 1 }, (_, index) => `crowd/f${index}.txt`);
  for (let start = 0; start < crowd.length; start += 16) {
    await Promise.all(crowd.slice(start, start + 16).map((path) => logArtifact(run.run_id, path, Buffer.from(path))));
  }
  const gone = (await api.post('/api/v1/runs', { experiment_name: 'mlflow-registry-errors' })).body;
  await logArtifact(gone.run_id, 'model/MLmodel', Buffer.from('flavors: {}\n'));
  expect((await api.delete(`/api/v1/runs/${gone.run_id}`)).status).toBe(200);

  f = {
    runId: run.run_id,
    experimentId: run.experiment_id,
    deletedRunId: gone.run_id,
    model: 'errors-model',
    other: 'errors-other',
    fullOfTags: 'errors-full-of-tags',
    fullOfAliases: 'errors-full-of-aliases',
  };
  const source = `runs:/${f.runId}/model`;
  const ok = async (response: Promise<ApiResponse>) => {
    const answered = await response;
    expect(answered.status, JSON.stringify(answered.body)).toBe(200);
  };
  await ok(mlflow(api, routes.mlflowCreateRegisteredModel, { name: f.model }));
  await ok(mlflow(api, routes.mlflowCreateRegisteredModel, { name: f.other }));
  await ok(mlflow(api, routes.mlflowCreateModelVersion, { name: f.model, source }));
  await ok(mlflow(api, routes.mlflowSetRegisteredModelAlias, { name: f.model, alias: 'champion', version: '1' }));
  const most = registryLimits.tagsPerEntity;
  await ok(mlflow(api, routes.mlflowCreateRegisteredModel, { name: f.fullOfTags, tags: tagList(most) }));
  await ok(mlflow(api, routes.mlflowCreateModelVersion, { name: f.fullOfTags, source, tags: tagList(most) }));
  await ok(mlflow(api, routes.mlflowCreateRegisteredModel, { name: f.fullOfAliases }));
  await ok(mlflow(api, routes.mlflowCreateModelVersion, { name: f.fullOfAliases, source }));
  for (let index = 0; index < registryLimits.aliasesPerModel; index++) {
    await ok(
      mlflow(api, routes.mlflowSetRegisteredModelAlias, { name: f.fullOfAliases, alias: `a${index}`, version: 1 }),
    );
  }
}, 180_000);

interface Row {
  operationId: keyof typeof routes;
  failure: string;
  /** The token: admin unless said. */
  as?: 'write' | 'read';
  input: () => Record<string, unknown>;
  status: number;
  errorCode: string;
  /** Words the message must contain (the field or thing it names). */
  says?: RegExp;
}

const missing = 'no-such-model';
const rows: Row[] = [
  // registered models
  {
    operationId: 'mlflowCreateRegisteredModel',
    failure: 'the name is taken',
    input: () => ({ name: f.model }),
    status: 400,
    errorCode: 'RESOURCE_ALREADY_EXISTS',
    says: /already exists/,
  },
  {
    operationId: 'mlflowCreateRegisteredModel',
    failure: 'a name with a slash',
    input: () => ({ name: 'a/b' }),
    status: 400,
    errorCode: 'INVALID_PARAMETER_VALUE',
    says: /name/,
  },
  {
    operationId: 'mlflowCreateRegisteredModel',
    failure: 'more tags than a model may have',
    input: () => ({ name: 'too-tagged', tags: tagList(registryLimits.tagsPerEntity + 1) }),
    // A request that could never be applied is refused at the edge, naming the field.
    status: 400,
    errorCode: 'INVALID_PARAMETER_VALUE',
    says: /parameter 'tags' supplied: must have at most/,
  },
  {
    operationId: 'mlflowCreateRegisteredModel',
    failure: 'a read token',
    as: 'read',
    input: () => ({ name: 'by-a-reader' }),
    status: 403,
    errorCode: 'PERMISSION_DENIED',
  },
  {
    operationId: 'mlflowGetRegisteredModel',
    failure: 'no such model',
    input: () => ({ name: missing }),
    status: 404,
    errorCode: 'RESOURCE_DOES_NOT_EXIST',
    says: new RegExp(missing),
  },
  {
    operationId: 'mlflowSearchRegisteredModels',
    failure: 'a filter on something else than name and tags',
    input: () => ({ filter: "run_id = 'x'" }),
    status: 400,
    errorCode: 'INVALID_PARAMETER_VALUE',
    says: /filter/,
  },
  {
    operationId: 'mlflowSearchRegisteredModels',
    failure: 'more than 1,000 a page',
    input: () => ({ max_results: 1001 }),
    status: 400,
    errorCode: 'INVALID_PARAMETER_VALUE',
    says: /max_results/,
  },
  {
    operationId: 'mlflowRenameRegisteredModel',
    failure: 'the new name is taken',
    input: () => ({ name: f.other, new_name: f.model }),
    status: 400,
    errorCode: 'RESOURCE_ALREADY_EXISTS',
  },
  {
    operationId: 'mlflowRenameRegisteredModel',
    failure: 'no such model',
    input: () => ({ name: missing, new_name: 'anything' }),
    status: 404,
    errorCode: 'RESOURCE_DOES_NOT_EXIST',
  },
  {
    operationId: 'mlflowUpdateRegisteredModel',
    failure: 'no such model',
    input: () => ({ name: missing, description: 'd' }),
    status: 404,
    errorCode: 'RESOURCE_DOES_NOT_EXIST',
  },
  {
    operationId: 'mlflowSetRegisteredModelTag',
    failure: 'one tag more than a model may have',
    input: () => ({ name: f.fullOfTags, key: 'one-more', value: 'v' }),
    status: 400,
    errorCode: 'RESOURCE_LIMIT_EXCEEDED',
    says: /tags/,
  },
  {
    operationId: 'mlflowSetRegisteredModelTag',
    failure: 'no such model',
    input: () => ({ name: missing, key: 'k', value: 'v' }),
    status: 404,
    errorCode: 'RESOURCE_DOES_NOT_EXIST',
  },
  {
    operationId: 'mlflowDeleteRegisteredModelTag',
    failure: 'no such model',
    input: () => ({ name: missing, key: 'k' }),
    status: 404,
    errorCode: 'RESOURCE_DOES_NOT_EXIST',
  },
  {
    operationId: 'mlflowDeleteRegisteredModel',
    failure: 'a write token (deleting lifts the holds: admin only)',
    as: 'write',
    input: () => ({ name: f.other }),
    status: 403,
    errorCode: 'PERMISSION_DENIED',
  },
  {
    operationId: 'mlflowDeleteRegisteredModel',
    failure: 'no such model',
    input: () => ({ name: missing }),
    status: 404,
    errorCode: 'RESOURCE_DOES_NOT_EXIST',
  },
  {
    operationId: 'mlflowGetLatestVersions',
    failure: 'no such model',
    input: () => ({ name: missing }),
    status: 404,
    errorCode: 'RESOURCE_DOES_NOT_EXIST',
  },
  {
    operationId: 'mlflowGetLatestVersions',
    failure: 'a stage that does not exist',
    input: () => ({ name: f.model, stages: ['Live'] }),
    status: 400,
    errorCode: 'INVALID_PARAMETER_VALUE',
    says: /^Invalid Model Version stage: Live\. Value must be one of None, Staging, Production, Archived\.$/,
  },
  {
    operationId: 'mlflowGetLatestVersionsGet',
    failure: 'no such model',
    input: () => ({ name: missing }),
    status: 404,
    errorCode: 'RESOURCE_DOES_NOT_EXIST',
  },
  {
    operationId: 'mlflowGetLatestVersionsGet',
    failure: 'a stage that does not exist, among stages repeated in the query (joined with commas)',
    input: () => ({ name: f.model, stages: ['Production', 'Live'] }),
    status: 400,
    errorCode: 'INVALID_PARAMETER_VALUE',
    says: /^Invalid Model Version stage: Live\. Value must be one of None, Staging, Production, Archived\.$/,
  },
  // versions
  {
    operationId: 'mlflowCreateModelVersion',
    failure: 'an artifact whose upload was not completed',
    input: () => ({ name: f.model, source: `runs:/${f.runId}/pending.bin` }),
    status: 400,
    errorCode: 'INVALID_STATE',
    says: /pending\.bin/,
  },
  {
    operationId: 'mlflowCreateModelVersion',
    failure: 'stored bytes that are not the SHA-256 declared at upload',
    input: () => ({ name: f.model, source: `runs:/${f.runId}/misdeclared.bin` }),
    status: 400,
    errorCode: 'INVALID_STATE',
    says: /SHA-256/,
  },
  {
    operationId: 'mlflowCreateModelVersion',
    failure: 'more files than a version may hold',
    input: () => ({ name: f.model, source: `runs:/${f.runId}/crowd` }),
    status: 400,
    errorCode: 'RESOURCE_LIMIT_EXCEEDED',
    says: new RegExp(`more than ${registryLimits.filesPerVersion} files`),
  },
  {
    operationId: 'mlflowCreateModelVersion',
    failure: 'more tags than a version may have',
    input: () => ({
      name: f.model,
      source: `runs:/${f.runId}/model`,
      tags: tagList(registryLimits.tagsPerEntity + 1),
    }),
    status: 400,
    errorCode: 'INVALID_PARAMETER_VALUE',
    says: /parameter 'tags' supplied: must have at most/,
  },
  {
    operationId: 'mlflowCreateModelVersion',
    failure: 'a deleted run',
    input: () => ({ name: f.model, source: `runs:/${f.deletedRunId}/model` }),
    status: 400,
    errorCode: 'INVALID_PARAMETER_VALUE',
    says: /deleted/,
  },
  {
    operationId: 'mlflowCreateModelVersion',
    failure: 'a run that does not exist',
    input: () => ({ name: f.model, source: 'runs:/0123456789abcdef0123456789abcdef/model' }),
    status: 404,
    errorCode: 'RESOURCE_DOES_NOT_EXIST',
  },
  {
    operationId: 'mlflowCreateModelVersion',
    failure: 'a path the run has no artifact at',
    input: () => ({ name: f.model, source: `runs:/${f.runId}/nothing-here` }),
    status: 404,
    errorCode: 'RESOURCE_DOES_NOT_EXIST',
    says: /nothing-here/,
  },
  {
    operationId: 'mlflowCreateModelVersion',
    failure: 'a source outside the runs',
    input: () => ({ name: f.model, source: 's3://elsewhere/model' }),
    status: 400,
    errorCode: 'INVALID_PARAMETER_VALUE',
    says: /source/,
  },
  {
    operationId: 'mlflowCreateModelVersion',
    failure: 'a run_id that is not the source run',
    input: () => ({ name: f.model, source: `runs:/${f.runId}/model`, run_id: f.deletedRunId }),
    status: 400,
    errorCode: 'INVALID_PARAMETER_VALUE',
    says: /run_id/,
  },
  {
    operationId: 'mlflowCreateModelVersion',
    failure: 'a version to copy that does not exist',
    input: () => ({ name: f.other, source: `models:/${f.model}/99` }),
    status: 404,
    errorCode: 'RESOURCE_DOES_NOT_EXIST',
    says: /99/,
  },
  {
    operationId: 'mlflowCreateModelVersion',
    failure: 'no such model',
    input: () => ({ name: missing, source: `runs:/${f.runId}/model` }),
    status: 404,
    errorCode: 'RESOURCE_DOES_NOT_EXIST',
  },
  {
    operationId: 'mlflowGetModelVersion',
    failure: 'no such version',
    input: () => ({ name: f.model, version: '99' }),
    status: 404,
    errorCode: 'RESOURCE_DOES_NOT_EXIST',
    says: /99/,
  },
  {
    operationId: 'mlflowGetModelVersion',
    failure: 'a version that is not a number',
    input: () => ({ name: f.model, version: 'latest' }),
    status: 400,
    errorCode: 'INVALID_PARAMETER_VALUE',
    says: /version/,
  },
  {
    operationId: 'mlflowUpdateModelVersion',
    failure: 'no such version',
    input: () => ({ name: f.model, version: '99', description: 'd' }),
    status: 404,
    errorCode: 'RESOURCE_DOES_NOT_EXIST',
  },
  {
    operationId: 'mlflowSetModelVersionTag',
    failure: 'one tag more than a version may have',
    input: () => ({ name: f.fullOfTags, version: '1', key: 'one-more', value: 'v' }),
    status: 400,
    errorCode: 'RESOURCE_LIMIT_EXCEEDED',
  },
  {
    operationId: 'mlflowSetModelVersionTag',
    failure: 'no such version',
    input: () => ({ name: f.model, version: '99', key: 'k', value: 'v' }),
    status: 404,
    errorCode: 'RESOURCE_DOES_NOT_EXIST',
  },
  {
    operationId: 'mlflowDeleteModelVersionTag',
    failure: 'no such version',
    input: () => ({ name: f.model, version: '99', key: 'k' }),
    status: 404,
    errorCode: 'RESOURCE_DOES_NOT_EXIST',
  },
  {
    operationId: 'mlflowTransitionModelVersionStage',
    failure: 'a stage that does not exist',
    input: () => ({ name: f.model, version: '1', stage: 'Live' }),
    status: 400,
    errorCode: 'INVALID_PARAMETER_VALUE',
    says: /^Invalid Model Version stage: Live\. Value must be one of None, Staging, Production, Archived\.$/,
  },
  {
    operationId: 'mlflowTransitionModelVersionStage',
    failure: 'archiving the others when moving to Archived',
    input: () => ({ name: f.model, version: '1', stage: 'Archived', archive_existing_versions: true }),
    status: 400,
    errorCode: 'INVALID_PARAMETER_VALUE',
    says: /archive_existing_versions/,
  },
  {
    operationId: 'mlflowTransitionModelVersionStage',
    failure: 'no such version',
    input: () => ({ name: f.model, version: '99', stage: 'Production' }),
    status: 404,
    errorCode: 'RESOURCE_DOES_NOT_EXIST',
  },
  {
    operationId: 'mlflowTransitionModelVersionStage',
    failure: 'a read token',
    as: 'read',
    input: () => ({ name: f.model, version: '1', stage: 'Production' }),
    status: 403,
    errorCode: 'PERMISSION_DENIED',
  },
  {
    operationId: 'mlflowDeleteModelVersion',
    failure: 'a write token',
    as: 'write',
    input: () => ({ name: f.model, version: '1' }),
    status: 403,
    errorCode: 'PERMISSION_DENIED',
  },
  {
    operationId: 'mlflowDeleteModelVersion',
    failure: 'no such version',
    input: () => ({ name: f.model, version: '99' }),
    status: 404,
    errorCode: 'RESOURCE_DOES_NOT_EXIST',
  },
  {
    operationId: 'mlflowSearchModelVersions',
    failure: 'an order key MLflow does not have',
    input: () => ({ order_by: 'run_id ASC' }),
    status: 400,
    errorCode: 'INVALID_PARAMETER_VALUE',
    says: /^order_by: Invalid attribute key 'run_id' specified/,
  },
  {
    operationId: 'mlflowSearchModelVersions',
    failure: "one model's versions by last change",
    input: () => ({ filter: `name = '${f.model}'`, order_by: 'last_updated_timestamp DESC' }),
    status: 400,
    errorCode: 'INVALID_PARAMETER_VALUE',
    says: /^order_by: the versions of one model or run/,
  },
  {
    operationId: 'mlflowSearchModelVersions',
    failure: "the workspace's versions by number",
    input: () => ({ order_by: 'version_number DESC' }),
    status: 400,
    errorCode: 'INVALID_PARAMETER_VALUE',
    says: /^order_by: without name = /,
  },
  {
    operationId: 'mlflowSearchRegisteredModels',
    failure: 'an order key MLflow refuses for models',
    input: () => ({ order_by: 'creation_timestamp DESC' }),
    status: 400,
    errorCode: 'INVALID_PARAMETER_VALUE',
    says: /^order_by: Invalid order by key 'creation_timestamp' specified/,
  },
  {
    operationId: 'mlflowSearchRegisteredModels',
    failure: 'the same field twice',
    input: () => ({ order_by: 'timestamp DESC,last_updated_timestamp ASC' }),
    status: 400,
    errorCode: 'INVALID_PARAMETER_VALUE',
    says: /duplicate fields/,
  },
  {
    operationId: 'mlflowGetModelVersionDownloadUri',
    failure: 'no such version',
    input: () => ({ name: f.model, version: '99' }),
    status: 404,
    errorCode: 'RESOURCE_DOES_NOT_EXIST',
  },
  {
    operationId: 'mlflowGetModelVersionArtifact',
    failure: 'no such version',
    input: () => ({ name: f.model, version: '99', path: 'MLmodel' }),
    status: 404,
    errorCode: 'RESOURCE_DOES_NOT_EXIST',
    says: /^Model Version \(name=.+, version=99\) not found$/,
  },
  {
    operationId: 'mlflowGetModelVersionArtifact',
    failure: 'a path the version has no file at',
    input: () => ({ name: f.model, version: '1', path: 'model.bin' }),
    status: 404,
    errorCode: 'RESOURCE_DOES_NOT_EXIST',
    says: /model\.bin/,
  },
  {
    operationId: 'mlflowGetModelVersionArtifact',
    failure: 'a path that climbs out of the version (checked before the version is read)',
    input: () => ({ name: missing, version: '1', path: '../MLmodel' }),
    status: 400,
    errorCode: 'INVALID_PARAMETER_VALUE',
    says: /^Invalid path$/,
  },
  // aliases
  {
    operationId: 'mlflowSetRegisteredModelAlias',
    failure: 'a version that does not exist',
    input: () => ({ name: f.model, alias: 'next', version: '99' }),
    status: 404,
    errorCode: 'RESOURCE_DOES_NOT_EXIST',
  },
  {
    operationId: 'mlflowSetRegisteredModelAlias',
    failure: 'an alias that reads as a version',
    input: () => ({ name: f.model, alias: 'v2', version: '1' }),
    status: 400,
    errorCode: 'INVALID_PARAMETER_VALUE',
    says: /alias/,
  },
  {
    operationId: 'mlflowSetRegisteredModelAlias',
    failure: 'one alias more than a model may have',
    input: () => ({ name: f.fullOfAliases, alias: 'one-more', version: '1' }),
    status: 400,
    errorCode: 'RESOURCE_LIMIT_EXCEEDED',
    says: /aliases/,
  },
  {
    operationId: 'mlflowDeleteRegisteredModelAlias',
    failure: 'no such model',
    input: () => ({ name: missing, alias: 'champion' }),
    status: 404,
    errorCode: 'RESOURCE_DOES_NOT_EXIST',
  },
  {
    operationId: 'mlflowGetModelVersionByAlias',
    failure: 'an alias the model does not have (MLflow: INVALID_PARAMETER_VALUE)',
    input: () => ({ name: f.model, alias: 'nobody' }),
    status: 400,
    errorCode: 'INVALID_PARAMETER_VALUE',
    says: /^Registered model alias nobody not found\.$/,
  },
  {
    operationId: 'mlflowGetModelVersionByAlias',
    failure: 'no such model',
    input: () => ({ name: missing, alias: 'champion' }),
    status: 404,
    errorCode: 'RESOURCE_DOES_NOT_EXIST',
  },
];

describe.each(rows.map((row) => [`${row.operationId}: ${row.failure}`, row] as const))('%s', (_, row) => {
  test(`answers ${row.status} ${row.errorCode}`, async () => {
    const client = row.as === 'read' ? reader : row.as === 'write' ? writer : api;
    const response = await mlflow(client, routes[row.operationId], row.input());
    expect(response.status, JSON.stringify(response.body)).toBe(row.status);
    expect(Object.keys(response.body as object).sort()).toEqual(['error_code', 'message']);
    expect(response.body.error_code).toBe(row.errorCode);
    if (row.says) expect(response.body.message).toMatch(row.says);
  });
});

test('every MLflow route of a registry function has failure rows', () => {
  const registryEntries = new Set(
    routeList.filter((route) => route.dialect !== 'mlflow' && route.tag === 'registry').map((route) => route.entry),
  );
  const registryMlflowRoutes = routeList
    .filter((route) => route.dialect === 'mlflow' && registryEntries.has(route.entry))
    .map((route) => route.operationId);
  expect(registryMlflowRoutes.length).toBeGreaterThanOrEqual(21);
  const covered = new Set(rows.map((row) => row.operationId));
  expect(registryMlflowRoutes.filter((operationId) => !covered.has(operationId as keyof typeof routes))).toEqual([]);
});

test('deleting an alias the model does not have is a no-op, as on an MLflow server', async () => {
  const response = await mlflow(api, routes.mlflowDeleteRegisteredModelAlias, { name: f.model, alias: 'nobody' });
  expect(response.status).toBe(200);
  expect(response.body).toEqual({});
  const history = await api.get(`/api/v1/models/${f.model}/alias-history?alias=nobody`);
  expect(history.body.events).toEqual([]);
});
