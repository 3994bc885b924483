import { createHash } from 'node:crypto';
import { expect, test } from 'vitest';
import { dialectOf, type RouteDefinition } from '../../shared/http/route-definition.ts';
import { routeList } from '../../shared/http/route-table.ts';
import { MAX_WRITTEN_STEP } from '../../shared/http/schemas/text.ts';
import { apiClient, useTestStack } from '../support/local-api.ts';
import { answerProblems, requestProblems } from '../support/openapi-check.ts';

/**
 * Every `/api/v1` operation is driven to its documented success (and to a
 * refusal), with data that fills every optional field a response can carry
 * (descriptions, tags, NaN and infinite metric values, a parent run, a pipeline,
 * artifacts, a model with versions, aliases and history, page tokens), and each
 * real answer is checked against the published `openapi.json` with a JSON
 * Schema validator: its status, media type, headers and body. Each accepted
 * request is also checked against the description's request schemas, so that
 * the description never forbids what the server takes. A route added to the
 * table without a scenario here fails the coverage check at the end.
 */
const MiB = 1024 * 1024;
const local = useTestStack({ multipartThresholdBytes: 5 * MiB, partSizeBytes: 5 * MiB });

const v1Routes = routeList.filter((route) => dialectOf(route) === 'v1');
const byOperation = new Map(v1Routes.map((route) => [route.operationId, route]));

interface Exchange {
  operationId: string;
  status: number;
  problems: string[];
}

test('every /api/v1 answer agrees with openapi.json, and openapi.json accepts every request the server took', async () => {
  const { stack } = local;
  const exchanges: Exchange[] = [];
  const admin = apiClient(stack.url, stack.token);

  /** Sends one request for `operationId`, checks both sides against the description, and returns the answer. */
  async function call(
    operationId: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; body: any; headers: Headers }> {
    const route = byOperation.get(operationId) as RouteDefinition;
    if (!route) throw new Error(`no route ${operationId}`);
    const response = await fetch(`${stack.url}${path}`, {
      method: route.method,
      redirect: 'manual',
      headers: {
        authorization: `Bearer ${stack.token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    const problems = answerProblems(route, { status: response.status, headers: response.headers, text });
    // Answers hold a workspace's data (and new tokens' secrets): never cached, never sniffed.
    if (response.headers.get('cache-control') !== 'no-store') problems.push('cache-control is not no-store');
    if (response.headers.get('x-content-type-options') !== 'nosniff')
      problems.push('x-content-type-options is not nosniff');
    if (response.status < 400) {
      const query = new URL(path, stack.url).searchParams;
      problems.push(...requestProblems(route, query, body));
    }
    exchanges.push({ operationId, status: response.status, problems });
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // CSV and empty bodies stay text
    }
    return { status: response.status, body: parsed, headers: response.headers };
  }

  const unique = Math.random().toString(36).slice(2, 8);
  const name = `conformance-${unique}`;

  // ----- experiments and runs, every optional field filled -----
  await call('getOpenApi', '/api/v1/openapi.json');
  const experiment = await call('createExperiment', '/api/v1/experiments', {
    experiment_name: name,
    description: 'every field\nfilled',
    tags: { team: 'risk', 'odd key: ü/x': 'value' },
  });
  const experimentId = experiment.body.experiment_id as string;
  await call('createExperiment', '/api/v1/experiments', { experiment_name: `${name}-second` });
  const listed = await call('listExperiments', `/api/v1/experiments?max_results=1&name_contains=${name}`);
  expect(listed.body.next_page_token).toBeTypeOf('string');
  await call('listExperiments', `/api/v1/experiments?tag.team=risk&lifecycle=all&max_results=1000`);
  await call('getExperiment', `/api/v1/experiments/${experimentId}`);
  await call('getExperiment', '/api/v1/experiments/0');
  await call('getExperimentByName', `/api/v1/experiments/by-name/${encodeURIComponent(name)}`);

  const parent = await call('startRun', '/api/v1/runs', {
    experiment_name: name,
    run_name: 'parent',
    tags: { 'mlflow.note.content': 'notes' },
    git_commit: 'a1b2c3d',
    code_version: 'v1.2-3-ga1b2c3d',
    pipeline: {
      pipeline_config: { model: { layers: [1, 2] }, lr: 0.1 },
      pipeline_components: [
        { name: 'tokenizer', type: 'preprocessor', stage: 'prep', position: 0 },
        { name: 'llm', type: 'model', position: 1 },
      ],
    },
    params: { lr: 0.001, use_bn: true, name: 'x' },
    metrics: [
      { key: 'loss', value: 0.5, step: 0, timestamp: 1_700_000_000_000 },
      { key: 'nan', value: 'NaN' },
      { key: 'inf', value: 'Infinity', step: -3 },
      { key: 'ninf', value: '-Infinity', step: MAX_WRITTEN_STEP },
    ],
    idempotency_key: `start-${unique}`,
  });
  const runId = parent.body.run_id as string;
  const child = await call('createRun', `/api/v1/experiments/${experimentId}/runs`, {
    run_name: 'child',
    parent_run_id: runId,
  });
  const childId = child.body.run_id as string;
  await call('listRuns', `/api/v1/experiments/${experimentId}/runs?max_results=1`);
  await call('listRuns', `/api/v1/experiments/${experimentId}/runs?status=COMPLETED&lifecycle=all`);

  await call('logParams', `/api/v1/runs/${runId}/params`, { params: { depth: 10, ratio: 1e-5 } });
  await call('logMetrics', `/api/v1/runs/${runId}/metrics`, { metric_name: 'acc', metric_value: 0.9, step: 1 });
  await call(
    'logMetrics',
    `/api/v1/runs/${runId}/metrics`,
    { metrics: Array.from({ length: 30 }, (_, step) => ({ key: 'loss', value: 1 / (step + 1), step })) },
    { 'idempotency-key': `batch-${unique}` },
  );
  await call('logBatch', `/api/v1/runs/${runId}/batch`, {
    params: { batch: 'yes' },
    tags: { phase: 'train' },
    metrics: [{ key: 'acc', value: 0.95, step: 2 }],
    idempotency_key: `log-batch-${unique}`,
  });
  await call('setRunTags', `/api/v1/runs/${runId}/tags`, { tags: { reviewed: 'yes', gone: 'soon' } });
  await call('getMetricHistory', `/api/v1/runs/${runId}/metrics/loss`);
  const page = await call(
    'getMetricHistory',
    `/api/v1/runs/${runId}/metrics/loss?max_results=2&start_step=0&end_step=20`,
  );
  await call(
    'getMetricHistory',
    `/api/v1/runs/${runId}/metrics/loss?max_results=2&start_step=0&end_step=20&page_token=${page.body.next_page_token}`,
  );
  await call('getMetricHistory', `/api/v1/runs/${runId}/metrics/loss?max_points=5`);
  await call('getMetricHistory', `/api/v1/runs/${runId}/metrics/nan`);

  // ----- artifacts: a single upload completed, a multipart plan aborted -----
  const bytes = Buffer.from('hello, artifacts\n');
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const plan = await call('createArtifactUpload', `/api/v1/runs/${runId}/artifacts`, {
    path: 'models/model.bin',
    artifact_type: 'model',
    size_bytes: bytes.length,
    content_type: 'application/octet-stream',
    sha256,
  });
  const put = await fetch(plan.body.upload.url, { method: 'PUT', headers: plan.body.upload.headers, body: bytes });
  expect(put.status).toBe(200);
  await call('completeArtifactUpload', `/api/v1/runs/${runId}/artifacts/complete`, { path: 'models/model.bin' });
  const multipart = await call('createArtifactUpload', `/api/v1/runs/${runId}/artifacts`, {
    path: 'big/data.bin',
    artifact_type: 'data',
    size_bytes: 11 * MiB,
  });
  expect(multipart.body.upload.kind).toBe('multipart');
  await call('abortArtifactUpload', `/api/v1/runs/${runId}/artifacts/abort`, {
    path: 'big/data.bin',
    upload_id: multipart.body.upload.upload_id,
  });
  await call('listArtifacts', `/api/v1/runs/${runId}/artifacts?max_results=1`);
  await call('listArtifacts', `/api/v1/runs/${runId}/artifacts?prefix=models/`);
  await call('downloadArtifact', `/api/v1/runs/${runId}/artifacts/download?path=models/model.bin`);
  await call('downloadArtifact', `/api/v1/runs/${runId}/artifacts/download?path=models/model.bin&redirect=true`);

  // ----- reading runs -----
  await call('getRun', `/api/v1/runs/${runId}`);
  await call('logRunInputs', `/api/v1/runs/${runId}/inputs`, {
    datasets: [
      {
        name: 'train',
        digest: 'abc123',
        source_type: 'local',
        source: '{"uri": "/data/train"}',
        schema: '{"mlflow_colspec": []}',
        context: 'training',
        tags: { split: 'a' },
      },
    ],
  });
  await call('getRunLineage', `/api/v1/runs/${runId}/lineage`);
  // Logged models (MLflow's routes make them) with every optional field, then /api/v1's listing, page by page.
  for (const name of ['clf', 'reg']) {
    const logged = await admin.post('/api/2.0/mlflow/logged-models', {
      experiment_id: experimentId,
      name,
      model_type: 'sklearn',
      source_run_id: runId,
      params: [{ key: 'alpha', value: '1' }],
      tags: [{ key: 'team', value: 'vision' }],
    });
    expect(logged.status, JSON.stringify(logged.body)).toBe(200);
    const measured = await admin.post('/api/2.0/mlflow/runs/log-metric', {
      run_id: runId,
      key: 'f1',
      value: 'NaN',
      timestamp: 1,
      step: 1,
      model_id: logged.body.model.info.model_id,
      dataset_name: 'eval',
      dataset_digest: 'abc',
    });
    expect(measured.status, JSON.stringify(measured.body)).toBe(200);
  }
  const loggedModels = await call(
    'listLoggedModels',
    `/api/v1/experiments/${experimentId}/logged-models?max_results=1`,
  );
  await call(
    'listLoggedModels',
    `/api/v1/experiments/${experimentId}/logged-models?page_token=${loggedModels.body.next_page_token}`,
  );
  await call('listLoggedModels', `/api/v1/experiments/${'0'.repeat(32)}/logged-models`);
  await call('getRun', `/api/v1/runs/${childId}`);
  await call('listRunParams', `/api/v1/runs/${runId}/params`);
  await call('listRunTags', `/api/v1/runs/${runId}/tags`);
  await call('listRunTags', `/api/v1/runs/${runId}/tags?page_token=bm90LWEtdG9rZW4`);
  const search = `/api/v1/runs/search?experiment_id=${experimentId}&max_results=1&order_by=metrics.loss%20DESC`;
  const searched = await call('searchRuns', search);
  await call('searchRuns', `${search}&page_token=${searched.body.next_page_token}`);
  await call(
    'searchRuns',
    `/api/v1/runs/search?experiment_name=${name}&filter=${encodeURIComponent("params.lr = '0.001'")}`,
  );
  await call('searchRunsPost', '/api/v1/runs/search', {
    experiment_ids: [experimentId],
    filter: 'metrics.acc > 0.5',
    order_by: ['start_time DESC'],
    max_results: 10,
    lifecycle: 'all',
  });
  await call('compareRuns', '/api/v1/runs/compare', { run_ids: [runId, childId] });
  await call(
    'compareRuns',
    '/api/v1/runs/compare',
    { run_ids: [runId, childId], metric_names: ['loss', 'nan'], only_differing_params: true },
    { accept: 'text/csv' },
  );

  // ----- tokens and workspaces -----
  const token = await call('createToken', '/api/v1/admin/tokens', { scope: 'read', name: 'conformance' });
  await call('listTokens', '/api/v1/admin/tokens?max_results=1');
  await call('revokeToken', `/api/v1/admin/tokens/${token.body.token_id}`);
  await call('listTokens', '/api/v1/admin/tokens');
  await call('createWorkspace', '/api/v1/admin/workspaces', { workspace_id: `w-${unique}`, name: 'Conformance' });
  await call('listWorkspaces', '/api/v1/admin/workspaces?max_results=1');

  // ----- the registry -----
  const model = `model-${unique}`;
  const models = `/api/v1/models/${model}`;
  await call('createRegisteredModel', '/api/v1/models', {
    name: model,
    description: 'a model',
    tags: { team: 'risk' },
  });
  await call('createRegisteredModel', '/api/v1/models', { name: `${model}-bare` });
  await call('listRegisteredModels', `/api/v1/models?name_prefix=model-${unique}&max_results=1`);
  await call('listRegisteredModels', '/api/v1/models?tag.team=risk');
  await call('updateRegisteredModel', models, { description: 'better', tags: { stage: 'prod' } });
  await call('createModelVersion', `${models}/versions`, {
    run_id: runId,
    artifact_path: 'models/model.bin',
    description: 'first',
    tags: { source: 'conformance' },
    metadata: { accuracy: 0.93, nested: { a: [1, 'b', null] } },
  });
  await call('createModelVersion', `${models}/versions`, { run_id: runId, artifact_path: 'models' });
  await call('getRegisteredModel', models);
  await call('listModelVersions', `${models}/versions?max_results=1`);
  await call('getModelVersion', `${models}/versions/1`);
  await call('updateModelVersion', `${models}/versions/1`, { description: null, tags: { source: null } });
  await call('getModelVersionDownload', `${models}/versions/2/download`);
  await call('setModelAlias', `${models}/aliases/champion`, { version: 1 });
  await call('setModelAlias', `${models}/aliases/champion`, { version: 2 });
  await call('getModelVersionByAlias', `${models}/aliases/champion`);
  await call('getAliasHistory', `${models}/alias-history?max_results=1`);
  await call('getAliasHistory', `${models}/alias-history?alias=champion&until=${Date.now() + 60_000}`);
  await call('listRunModelVersions', `/api/v1/runs/${runId}/model-versions`);
  await call('deleteModelAlias', `${models}/aliases/champion`);
  await call('deleteModelVersion', `${models}/versions/1`);
  await call('deleteRegisteredModel', `/api/v1/models/${model}-bare`);

  // ----- ending, renaming, deleting, restoring and purging -----
  await call('updateRun', `/api/v1/runs/${childId}`, { status: 'KILLED', end_time: Date.now() });
  await call('updateRun', `/api/v1/runs/${childId}`, { run_name: 'renamed child' });
  await call('getRun', `/api/v1/runs/${childId}`);
  await call('updateExperiment', `/api/v1/experiments/${experimentId}`, { experiment_name: `${name}-renamed` });
  await call('setExperimentTags', `/api/v1/experiments/${experimentId}/tags`, { tags: { gone: 'soon' } });
  await call('deleteExperimentTag', `/api/v1/experiments/${experimentId}/tags/gone`);
  await call('deleteRunTag', `/api/v1/runs/${runId}/tags/gone`);
  await call('deleteRun', `/api/v1/runs/${childId}`);
  await call('restoreRun', `/api/v1/runs/${childId}/restore`);
  await call('deleteRun', `/api/v1/runs/${childId}`);
  await call('listRuns', `/api/v1/experiments/${experimentId}/runs?lifecycle=deleted`);
  await call('purgeRun', `/api/v1/runs/${childId}/purge`);
  const other = await admin.post('/api/v1/runs', { experiment_name: `${name}-second` });
  await call('deleteExperiment', `/api/v1/experiments/${other.body.experiment_id}`);
  await call('restoreExperiment', `/api/v1/experiments/${other.body.experiment_id}/restore`);
  await call('deleteExperiment', `/api/v1/experiments/${other.body.experiment_id}`);
  await call('getExperiment', `/api/v1/experiments/${other.body.experiment_id}`);
  await call('purgeExperiment', `/api/v1/experiments/${other.body.experiment_id}/purge`);

  // ----- refusals: each in the error shape the description names -----
  const unknownRun = '0'.repeat(32);
  await call('getRun', `/api/v1/runs/${unknownRun}`);
  await call('listRunParams', `/api/v1/runs/${unknownRun}/params`);
  await call('getRun', '/api/v1/runs/not-an-id');
  await call('getExperiment', `/api/v1/experiments/${'f'.repeat(32)}`);
  await call('createExperiment', '/api/v1/experiments', { experiment_name: `${name}-renamed` });
  await call('logParams', `/api/v1/runs/${runId}/params`, { params: { depth: 11 } });
  await call('logMetrics', `/api/v1/runs/${runId}/metrics`, 'not an object');
  await call(
    'searchRuns',
    `/api/v1/runs/search?experiment_id=${experimentId}&filter=${encodeURIComponent('metrics.a >')}`,
  );
  await call('listExperiments', '/api/v1/experiments?page_token=abc');
  await call('getModelVersion', `${models}/versions/99`);

  const problems = exchanges.flatMap((exchange) =>
    exchange.problems.map((problem) => `${exchange.operationId} (${exchange.status}): ${problem}`),
  );
  expect(problems).toEqual([]);

  // Every operation was seen succeeding with its documented status: a new route needs a scenario above.
  const succeeded = new Set(
    exchanges
      .filter((exchange) => {
        const route = byOperation.get(exchange.operationId) as RouteDefinition;
        return exchange.status === route.response.status || exchange.status === route.response.also?.status;
      })
      .map((exchange) => exchange.operationId),
  );
  expect(v1Routes.map((route) => route.operationId).filter((id) => !succeeded.has(id))).toEqual([]);
}, 120_000);
