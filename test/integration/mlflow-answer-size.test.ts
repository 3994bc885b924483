import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, test } from 'vitest';
import { lambdaResponsePayloadBytes } from '../../shared/domain/answer-size.ts';
import { registryLimits } from '../../shared/domain/registry.ts';
import { routes } from '../../shared/http/route-table.ts';
import type { RouteDefinition } from '../../shared/http/route-definition.ts';
import { limits } from '../../shared/limits.ts';
import { type ApiResponse, useTestStack } from '../support/local-api.ts';

/**
 * No MLflow answer can outgrow Lambda's 6 MB response payload, generated over the route table:
 * every MLflow route is either filled here to its limits (its listings and entities made as large
 * as the documented limits let them, with `"`, which takes 4 bytes of the payload, escaped twice)
 * and read with the largest page it takes, or named with why its answer is bounded. Each answer is
 * then either under 6 MB, or MLflow's RESOURCE_LIMIT_EXCEEDED (a 400, never a 500) naming the
 * part that is too large; where MLflow pages, the pages together give every entry once.
 */
const local = useTestStack();

const quotes = (length: number, seed: string) => (seed + '"'.repeat(length)).slice(0, length);
const payloadBytes = (response: ApiResponse) =>
  Buffer.byteLength(JSON.stringify({ statusCode: response.status, body: JSON.stringify(response.body) }));

/** How a filled route is read: its request (with a page token after the first page), and the entries of an answer. */
interface Filled {
  request: (token?: string) => { method: 'GET' | 'POST'; path: string; body?: unknown };
  entries: (body: any) => string[];
  /** Every entry the pages must give, or, for a route MLflow cannot page, the words its refusal names. */
  expected: () => string[] | { refused: RegExp };
}
const post = (path: string, body: () => object) => (token?: string) => ({
  method: 'POST' as const,
  path: `/api/2.0/mlflow/${path}`,
  body: { ...body(), ...(token ? { page_token: token } : {}) },
});
const get = (path: () => string) => (token?: string) => ({
  method: 'GET' as const,
  path: `/api/2.0/mlflow/${path()}${token ? `&page_token=${encodeURIComponent(token)}` : ''}`,
});

/** Why the answer of each MLflow route not filled here is bounded. */
const noList = 'answers ids, a state or {}: no list, nothing the caller can grow';
const oneItem = 'one stored item (DynamoDB holds 400 KB) and fixed fields: under 2 MB escaped twice';
const oneRegistryEntity =
  'one model or version: tags at most 64 KiB, 100 aliases, one latest version a stage: under 2 MB escaped twice';
const redirect = 'a redirect or a presigned URL';
const bounded: Record<string, string> = {
  mlflowAbortMultipartUpload: noList,
  mlflowCompleteMultipartUpload: noList,
  mlflowCreateExperiment: noList,
  mlflowCreateLoggedModel: 'the model as created: what one request (1 MiB) sent',
  mlflowCreateModelVersion: oneRegistryEntity,
  mlflowCreateMultipartUpload: 'at most 1,000 part URLs',
  mlflowCreateRegisteredModel: oneRegistryEntity,
  mlflowCreateRun: 'a new run: what one request (1 MiB) sent',
  mlflowDeleteExperimentTag: noList,
  mlflowDeleteExperiment: noList,
  mlflowDeleteLoggedModelTag: noList,
  mlflowDeleteLoggedModel: noList,
  mlflowDeleteModelVersionTag: noList,
  mlflowDeleteModelVersion: noList,
  mlflowDeleteRegisteredModelAlias: noList,
  mlflowDeleteRegisteredModelTag: noList,
  mlflowDeleteRegisteredModel: noList,
  mlflowDeleteRun: noList,
  mlflowDeleteTag: noList,
  mlflowDownloadArtifactProxied: redirect,
  mlflowFinalizeLoggedModel: oneItem,
  mlflowGetArtifact: redirect,
  mlflowGetExperimentByName: oneItem,
  mlflowGetExperiment: oneItem,
  mlflowGetLatestVersions: oneRegistryEntity,
  mlflowGetLatestVersionsGet: oneRegistryEntity,
  mlflowGetLoggedModel: oneItem,
  mlflowGetModelVersionArtifact: redirect,
  mlflowGetModelVersionByAlias: oneRegistryEntity,
  mlflowGetModelVersionDownloadUri: redirect,
  mlflowGetModelVersion: oneRegistryEntity,
  mlflowGetRegisteredModel: oneRegistryEntity,
  mlflowGetServerInfo: 'fixed fields, the same for every caller',
  mlflowGetRun: 'refused by name past 5 MiB (run-answer-size.test.ts fills it)',
  mlflowListArtifactsProxied:
    'one folder of at most 10,000 artifacts (more is a 400); past 6 MB the handler factory refuses it (answer.too_large)',
  mlflowListArtifacts:
    'one folder of at most 10,000 artifacts (more is a 400); past 6 MB the handler factory refuses it (answer.too_large)',
  mlflowLogBatch: noList,
  mlflowLogInputs: noList,
  mlflowLogLoggedModelParams: noList,
  mlflowLogMetric: noList,
  mlflowLogOutputs: noList,
  mlflowLogParam: noList,
  mlflowPresignedDownload: redirect,
  mlflowRenameRegisteredModel: oneRegistryEntity,
  mlflowRestoreExperiment: noList,
  mlflowRestoreRun: noList,
  mlflowSetExperimentTag: noList,
  mlflowSetLoggedModelTags: noList,
  mlflowSetModelVersionTag: noList,
  mlflowSetRegisteredModelAlias: noList,
  mlflowSetRegisteredModelTag: noList,
  mlflowSetTag: noList,
  mlflowTransitionModelVersionStage: oneRegistryEntity,
  mlflowUpdateExperiment: noList,
  mlflowUpdateModelVersion: oneRegistryEntity,
  mlflowUpdateRegisteredModel: oneRegistryEntity,
  mlflowUpdateRun: 'the run info: no params or tags',
  mlflowUploadArtifact: redirect,
};

// What the fill below makes: each listing past 6 MB in all.
const fill = {
  experiments: [] as string[],
  /** The experiment of the logged models, and that of the runs. */
  experimentId: '',
  runsExperimentId: '',
  loggedModels: [] as string[],
  runs: [] as string[],
  models: [] as string[],
  versions: [] as string[],
  historyRun: '',
  historyKey: `history/${'k'.repeat(limits.keyLength - 8)}`,
  historyPoints: 25_000,
  bulkRuns: [] as string[],
};

/** Tags of `count` values of `"`, as MLflow's key/value list. */
const quotedTags = (count: number, length: number, seed: string) =>
  Array.from({ length: count }, (_, i) => ({
    key: `${seed}-${String(i).padStart(3, '0')}`,
    value: quotes(length, seed),
  }));
/** As many registry tags of 5,000 `"` as one model's or version's 64 KiB take. */
const registryTags = (seed: string) =>
  Object.fromEntries(
    quotedTags(Math.floor(registryLimits.tagBytesPerEntity / (5000 + 8)), 5000, seed).map(({ key, value }) => [
      key,
      value,
    ]),
  );

/** The ordered search, which reads the models whole and pages by offset. */
const byName = [{ field_name: 'name', ascending: true }];

const experimentIds = (body: any) => (body.experiments ?? []).map((e: { experiment_id: string }) => e.experiment_id);
const key = () => encodeURIComponent(fill.historyKey);

const filled: Record<string, Filled> = {
  mlflowSearchExperiments: {
    request: post('experiments/search', () => ({ max_results: 50_000 })),
    entries: experimentIds,
    expected: () => fill.experiments,
  },
  mlflowSearchExperimentsGet: {
    request: get(() => 'experiments/search?max_results=50000'),
    entries: experimentIds,
    expected: () => fill.experiments,
  },
  mlflowSearchLoggedModels: {
    request: post('logged-models/search', () => ({
      experiment_ids: [fill.experimentId],
      max_results: 1000,
      order_by: byName,
    })),
    entries: (body) => (body.models ?? []).map((m: { info: { model_id: string } }) => m.info.model_id),
    expected: () => fill.loggedModels,
  },
  mlflowSearchRuns: {
    request: post('runs/search', () => ({ experiment_ids: [fill.runsExperimentId], max_results: 50_000 })),
    entries: (body) => (body.runs ?? []).map((r: { info: { run_id: string } }) => r.info.run_id),
    expected: () => [...fill.runs, fill.historyRun, ...fill.bulkRuns],
  },
  mlflowSearchRegisteredModels: {
    request: get(() => 'registered-models/search?max_results=1000'),
    entries: (body) => (body.registered_models ?? []).map((m: { name: string }) => m.name),
    expected: () => fill.models,
  },
  mlflowSearchModelVersions: {
    request: get(() => 'model-versions/search?max_results=200000'),
    entries: (body) =>
      (body.model_versions ?? []).map((v: { name: string; version: string }) => `${v.name}/${v.version}`),
    expected: () => fill.versions,
  },
  mlflowGetMetricHistory: {
    request: get(() => `metrics/get-history?run_id=${fill.historyRun}&metric_key=${key()}`),
    entries: (body) => (body.metrics ?? []).map((m: { step: number }) => String(m.step)),
    expected: () => Array.from({ length: fill.historyPoints }, (_, step) => String(step)),
  },
  mlflowGetMetricHistoryBulkInterval: {
    request: get(
      () => `metrics/get-history-bulk-interval?run_ids=${fill.bulkRuns.join(',')}&metric_key=${key()}&max_results=2500`,
    ),
    entries: (body) => (body.metrics ?? []).map((m: { run_id: string; step: number }) => `${m.run_id}/${m.step}`),
    // MLflow's bulk interval has no pages: past one answer, it is refused naming its points.
    expected: () => ({ refused: /^metrics: \d+ entries make this answer \d+ bytes, over the 6291456/ }),
  },
  mlflowGetMetricHistoryBulk: {
    request: () => ({
      method: 'GET' as const,
      path: `/ajax-api/2.0/mlflow/metrics/get-history-bulk?run_id=${fill.historyRun}&metric_key=${key()}`,
    }),
    entries: (body) => (body.metrics ?? []).map((m: { run_id: string; step: number }) => `${m.run_id}/${m.step}`),
    // Nor has its bulk history: 25,000 points of a 250-character key are refused naming them.
    expected: () => ({ refused: /^metrics: 25000 entries make this answer \d+ bytes, over the 6291456/ }),
  },
};

const mlflowRoutes = Object.values(routes).filter((route: RouteDefinition) => route.dialect === 'mlflow');

test('every MLflow route is filled here, or says why its answer is bounded', () => {
  const unaccounted = mlflowRoutes
    .map((route) => route.operationId)
    .filter((operationId) => !(operationId in filled) && !(operationId in bounded));
  expect(unaccounted).toEqual([]);
  const both = Object.keys(filled).filter((operationId) => operationId in bounded);
  expect(both).toEqual([]);
  const gone = [...Object.keys(filled), ...Object.keys(bounded)].filter(
    (operationId) => !mlflowRoutes.some((route) => route.operationId === operationId),
  );
  expect(gone).toEqual([]);
});

const mlflow = (path: string, body: unknown) => local.api.post(`/api/2.0/mlflow/${path}`, body);
const ok = (response: ApiResponse, what: string) => {
  if (response.status >= 300) throw new Error(`${what}: ${response.status} ${JSON.stringify(response.body)}`);
  return response.body;
};

async function fillExperiments() {
  // An experiment item holds at most 400 KB: 18 notes of 20,000 `"` (1.4 MB of payload each).
  for (let i = 0; i < 5; i++) {
    const tags = quotedTags(18, limits.experimentTagValueLength, `e${i}`);
    const created = ok(await mlflow('experiments/create', { name: `big-${i}`, tags }), 'experiment');
    fill.experiments.push(created.experiment_id);
  }
  // The Default experiment is listed too, and the ones made below.
  fill.experiments.push('0');
}

async function fillLoggedModels() {
  fill.experimentId = ok(await mlflow('experiments/create', { name: 'big-models' }), 'experiment').experiment_id;
  fill.experiments.push(fill.experimentId);
  // A logged model is one item: 60 params of 6,000 `"` fill most of its 400 KB (1.4 MB of payload).
  for (let i = 0; i < 5; i++) {
    const model = ok(
      await mlflow('logged-models', { experiment_id: fill.experimentId, name: `big-${i}` }),
      'logged model',
    ).model;
    fill.loggedModels.push(model.info.model_id);
    for (let start = 0; start < 60; start += 30) {
      const params = Array.from({ length: 30 }, (_, j) => ({
        key: `p-${String(start + j).padStart(3, '0')}`,
        value: quotes(limits.paramValueLength, `m${i}`),
      }));
      ok(await mlflow(`logged-models/${model.info.model_id}/params`, { params }), 'params');
    }
  }
}

async function fillRuns() {
  fill.runsExperimentId = ok(await mlflow('experiments/create', { name: 'big-runs' }), 'experiment').experiment_id;
  fill.experiments.push(fill.runsExperimentId);
  // Runs of 100 tags of 8,000 `"` (3.2 MB of payload each): a page holds one.
  for (let i = 0; i < 3; i++) {
    const run = ok(await mlflow('runs/create', { experiment_id: fill.runsExperimentId }), 'run').run;
    fill.runs.push(run.info.run_id);
    for (let start = 0; start < 100; start += 50) {
      const tags = quotedTags(50, limits.tagValueLength, `r${i}-${start}`);
      ok(await mlflow('runs/log-batch', { run_id: run.info.run_id, tags }), 'tags');
    }
  }
}

async function fillRegistry() {
  // Models and versions with 64 KiB of tags each; two versions a model, the newer its latest,
  // so a page of models also carries as much again in latest versions.
  const run = ok(await local.api.post('/api/v1/runs', { experiment_name: 'big-registry' }), 'run');
  fill.experiments.push(run.experiment_id);
  const bytes = Buffer.from('model');
  const path = 'model.bin';
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const plan = ok(
    await local.api.post(`/api/v1/runs/${run.run_id}/artifacts`, {
      path,
      artifact_type: 'model',
      size_bytes: bytes.length,
      sha256,
    }),
    'plan',
  );
  await fetch(plan.upload.url, { method: 'PUT', headers: plan.upload.headers, body: bytes });
  ok(await local.api.post(`/api/v1/runs/${run.run_id}/artifacts/complete`, { path }), 'complete');
  for (let i = 0; i < 16; i++) {
    const name = `big-${String(i).padStart(2, '0')}`;
    ok(await local.api.post('/api/v1/models', { name, tags: registryTags(`rm${i}`) }), 'model');
    fill.models.push(name);
    for (let version = 1; version <= 2; version++) {
      const model = `/api/v1/models/${name}`;
      ok(await local.api.post(`${model}/versions`, { run_id: run.run_id, artifact_path: path }), 'version');
      ok(await local.api.patch(`${model}/versions/${version}`, { tags: registryTags(`v${i}-${version}`) }), 'tags');
      fill.versions.push(`${name}/${version}`);
    }
  }
}

async function fillHistories() {
  // 25,000 points (MLflow's page) of a 250-character key: 8 MB if answered at once.
  const run = ok(await mlflow('runs/create', { experiment_id: fill.runsExperimentId }), 'run').run;
  fill.historyRun = run.info.run_id;
  const batch = (runId: string, from: number, count: number) =>
    mlflow('runs/log-batch', {
      run_id: runId,
      metrics: Array.from({ length: count }, (_, j) => ({
        key: fill.historyKey,
        value: -1.2345678901234568e-300,
        timestamp: 1_700_000_000_000 + from + j,
        step: from + j,
      })),
    });
  for (let from = 0; from < fill.historyPoints; from += 1000) ok(await batch(fill.historyRun, from, 1000), 'history');
  // Eight runs of 2,500 points: MLflow's bulk interval answers each whole, about 8 MB in all.
  for (let i = 0; i < 8; i++) {
    const other = ok(await mlflow('runs/create', { experiment_id: fill.runsExperimentId }), 'run').run;
    fill.bulkRuns.push(other.info.run_id);
    for (let from = 0; from < 2500; from += 1000) {
      ok(await batch(other.info.run_id, from, Math.min(1000, 2500 - from)), 'bulk');
    }
  }
}

beforeAll(async () => {
  await fillExperiments();
  await fillLoggedModels();
  await fillRuns();
  await fillRegistry();
  await fillHistories();
}, 600_000);

describe('every filled MLflow listing stays under 6 MB, in pages where MLflow pages', () => {
  for (const [operationId, route] of Object.entries(filled)) {
    test(
      operationId,
      async () => {
        const expected = route.expected();
        const seen: string[] = [];
        let request = route.request();
        for (let pages = 0; ; pages++) {
          expect(pages).toBeLessThan(100);
          const response = await local.api.call(request.method, request.path, request.body);
          expect(payloadBytes(response)).toBeLessThan(lambdaResponsePayloadBytes);
          if (!Array.isArray(expected)) {
            expect(response.status).toBe(400);
            expect(response.body.error_code).toBe('RESOURCE_LIMIT_EXCEEDED');
            expect(response.body.message).toMatch(expected.refused);
            return;
          }
          expect(response.status, JSON.stringify(response.body).slice(0, 300)).toBe(200);
          seen.push(...route.entries(response.body));
          const token = response.body.next_page_token;
          if (!token) break;
          request = route.request(token);
        }
        expect(seen.length).toBeGreaterThan(0);
        expect(new Set(seen).size).toBe(seen.length);
        expect([...seen].sort()).toEqual([...expected].sort());
      },
      120_000,
    );
  }
});

test('what the fill made is past 6 MB: each list above needs more than one answer', async () => {
  // Without pages (max_results small enough to hold one entry each), the entries add up past 6 MB.
  let experiments = 0;
  for (const id of fill.experiments) {
    experiments += payloadBytes(await local.api.get(`/api/2.0/mlflow/experiments/get?experiment_id=${id}`));
  }
  expect(experiments).toBeGreaterThan(lambdaResponsePayloadBytes);
  let models = 0;
  for (const id of fill.loggedModels)
    models += payloadBytes(await local.api.get(`/api/2.0/mlflow/logged-models/${id}`));
  expect(models).toBeGreaterThan(lambdaResponsePayloadBytes);
  let registered = 0;
  for (const name of fill.models) {
    registered += payloadBytes(await local.api.get(`/api/2.0/mlflow/registered-models/get?name=${name}`));
  }
  expect(registered).toBeGreaterThan(lambdaResponsePayloadBytes);
}, 120_000);
