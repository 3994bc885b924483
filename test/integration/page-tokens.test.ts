import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { RouteDefinition } from '../../shared/http/route-definition.ts';
import { routeList } from '../../shared/http/route-table.ts';
import { type ApiClient, type ApiResponse, apiClient, startTestStack, type TestStack } from '../support/local-api.ts';
import { registerTestModel } from '../support/registry-fixture.ts';
import { exampleRequest, type RouteFixture } from '../support/route-requests.ts';

/**
 * Page tokens on every paginated route of the route table (found from the
 * OpenAPI description: a response with `next_page_token`) are opaque and
 * authenticated: a real token continues its list; flipped bits, truncations,
 * spliced or re-encoded tokens, readable tokens of the old format, and real
 * tokens used on another list, in another workspace or with another query are
 * all a 400 `page_token.invalid`, never a 5xx; and no token shows a key name,
 * partition or workspace id.
 */
let stack: TestStack;
let api: ApiClient;
let outsider: ApiClient;
let fixture: RouteFixture;

interface Paginated {
  route: RouteDefinition;
  /** Where page_token and max_results go. */
  in: 'query' | 'body';
}
let paginated: Paginated[] = [];
const tokens = new Map<string, string>();

beforeAll(async () => {
  stack = await startTestStack();
  api = apiClient(stack.url, stack.token);
  // Two of everything a list shows, so that a page of one has a next page.
  const runs = [];
  for (const name of ['first', 'second']) {
    const run = await api.post('/api/v1/runs', { experiment_name: 'paged', run_name: name });
    expect(run.status).toBe(201);
    runs.push(run.body);
    await api.post(`/api/v1/experiments`, { experiment_name: `other-${name}` });
    await api.post('/api/v1/admin/tokens', { scope: 'read', name });
  }
  const runId = runs[0].run_id as string;
  await api.post(`/api/v1/runs/${runId}/metrics`, {
    metrics: [1, 2, 3].map((step) => ({ key: 'loss', value: step, step })),
  });
  expect((await api.post(`/api/v1/runs/${runId}/params`, { params: { a: '1', b: '2' } })).status).toBe(200);
  expect((await api.post(`/api/v1/runs/${runId}/tags`, { tags: { a: '1', b: '2' } })).status).toBe(200);
  for (const path of ['a.txt', 'b.txt']) {
    const plan = await api.post(`/api/v1/runs/${runId}/artifacts`, { path, artifact_type: 'other', size_bytes: 2 });
    await fetch(plan.body.upload.url, { method: 'PUT', headers: plan.body.upload.headers, body: 'hi' });
    expect((await api.post(`/api/v1/runs/${runId}/artifacts/complete`, { path })).status).toBe(200);
  }
  // Two registered models from the run; one with two versions and two alias moves.
  await registerTestModel(api, runId, 'paged-model');
  await registerTestModel(api, runId, 'paged-model-too');
  const second = await api.post('/api/v1/models/paged-model/versions', {
    run_id: runId,
    artifact_path: 'registry-fixture/paged-model.bin',
  });
  expect(second.status).toBe(201);
  expect((await api.call('PUT', '/api/v1/models/paged-model/aliases/prod', { version: 2 })).status).toBe(200);
  for (const name of ['model-a', 'model-b']) {
    const model = await api.post('/api/2.0/mlflow/logged-models', {
      experiment_id: runs[0].experiment_id,
      name,
      source_run_id: runId,
    });
    expect(model.status, JSON.stringify(model.body)).toBe(200);
  }
  const other = await api.post('/api/v1/admin/workspaces', { workspace_id: 'paging-outsider' });
  expect(other.status).toBe(201);
  await api.post('/api/v1/admin/workspaces', { workspace_id: 'paging-other' });
  outsider = apiClient(stack.url, other.body.admin_token.token);
  fixture = {
    experimentId: runs[0].experiment_id,
    experimentName: 'paged',
    runId,
    metricKey: 'loss',
    tokenId: '0123456789abcdef',
    artifactPath: 'a.txt',
    modelName: 'paged-model',
  };

  const document = (await api.get('/api/v1/openapi.json')).body as OpenApi;
  paginated = routeList.flatMap((route): Paginated[] => {
    const operation = document.paths[route.path.replace('+', '')]?.[route.method.toLowerCase()];
    if (!operation) throw new Error(`${route.operationId} is not in the OpenAPI description`);
    const response = operation.responses[String(route.response.status)]?.content?.['application/json']?.schema;
    if (!response?.properties?.next_page_token) return [];
    if (operation.parameters?.some((p) => p.in === 'query' && p.name === 'page_token')) return [{ route, in: 'query' }];
    if (operation.requestBody?.content['application/json']?.schema.properties?.page_token)
      return [{ route, in: 'body' }];
    throw new Error(`${route.operationId} answers next_page_token but takes no page_token`);
  });
  for (const list of paginated) {
    const first = await page(api, list, undefined);
    expect(first.status, `${list.route.operationId}: ${JSON.stringify(first.body)}`).toBe(200);
    expect(first.body.next_page_token, `${list.route.operationId} has a second page`).toEqual(expect.any(String));
    tokens.set(list.route.operationId, first.body.next_page_token);
  }
});
afterAll(() => stack?.stop());

interface OpenApi {
  paths: Record<
    string,
    Record<
      string,
      {
        parameters?: Array<{ name: string; in: string }>;
        requestBody?: { content: Record<string, { schema: { properties?: Record<string, unknown> } }> };
        responses: Record<string, { content?: Record<string, { schema: { properties?: Record<string, unknown> } }> }>;
      }
    >
  >;
}

/** One page of `list`, one item per page, continuing from `token`; `query` adds a filter to the request. */
function page(client: ApiClient, list: Paginated, token: string | undefined, query: Record<string, string> = {}) {
  const { path, body } = exampleRequest(list.route, fixture);
  if (list.in === 'body') {
    return client.call(list.route.method, path, {
      ...(body as object),
      ...query,
      max_results: 1,
      ...(token === undefined ? {} : { page_token: token }),
    });
  }
  // The example's own query (if any) is kept; page size and token replace its values.
  const [pathname, exampleQuery] = path.split('?', 2) as [string, string | undefined];
  const parameters = new URLSearchParams(exampleQuery);
  for (const [name, value] of Object.entries({ ...query, max_results: '1' })) parameters.set(name, value);
  if (token !== undefined) parameters.set('page_token', token);
  return client.call(list.route.method, `${pathname}?${parameters}`);
}

function expectRefused(response: ApiResponse, label: string) {
  expect(response.status, `${label}: ${JSON.stringify(response.body)}`).toBe(400);
  if (response.body.error_code !== undefined) {
    // MLflow's dialect: its code for a bad argument, naming the field.
    expect(response.body.error_code, label).toBe('INVALID_PARAMETER_VALUE');
    expect(response.body.message, label).toMatch(/page_token/);
  } else {
    expect(response.body.error.code, label).toBe('page_token.invalid');
  }
}

/** Runs `requests` a few at a time: hundreds of tampered tokens per route, on two cores. */
async function inBatches<T>(items: readonly T[], each: (item: T) => Promise<void>, size = 8) {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(each));
}

const flipBit = (token: string, bit: number) => {
  const bytes = Buffer.from(token, 'base64url');
  const index = (bit >> 3) % bytes.length;
  bytes.writeUInt8(((bytes.readUInt8(index) ^ (1 << (bit & 7))) & 0xff) >>> 0, index);
  return bytes.toString('base64url');
};

test('every list that answers next_page_token is found, with a real token', () => {
  // Experiments, runs, search (GET and POST), metric history, artifacts, tokens, workspaces at least.
  expect(paginated.length).toBeGreaterThanOrEqual(8);
});

describe('on every paginated route', () => {
  test('a real token continues its list, and shows no key name, partition or workspace id', async () => {
    for (const list of paginated) {
      const token = tokens.get(list.route.operationId) as string;
      const next = await page(api, list, token);
      expect(next.status, list.route.operationId).toBe(200);
      const visible = Buffer.from(token, 'base64url').toString('latin1');
      // Strings long enough that random ciphertext never spells them by chance.
      for (const hidden of ['WS#default', 'default', '"pk"', 'gsi1pk', fixture.runId, fixture.experimentId]) {
        expect(visible, list.route.operationId).not.toContain(hidden);
      }
    }
  });

  test('a flipped bit in any byte, a truncation or an extension is refused', async () => {
    for (const list of paginated) {
      const token = tokens.get(list.route.operationId) as string;
      const length = Buffer.from(token, 'base64url').length;
      const tampered = [
        // 32 bytes spread over version, nonce, ciphertext and tag (the unit test flips every bit of a token).
        ...Array.from({ length: 32 }, (_, i) => Math.floor((i * (length - 1)) / 31)).map((byte) =>
          flipBit(token, byte * 8 + (byte % 8)),
        ),
        ...[1, 4, token.length >> 1, token.length - 2, token.length - 1].map((end) => token.slice(0, end)),
        `${token}A`,
        `${token}AAAA`,
      ];
      await inBatches(tampered, async (edited) =>
        expectRefused(await page(api, list, edited), `${list.route.operationId} ${edited}`),
      );
    }
  });

  test('spliced, re-encoded and readable (old-format) tokens are refused', async () => {
    const all = [...tokens.values()];
    for (const list of paginated) {
      const token = tokens.get(list.route.operationId) as string;
      const own = Buffer.from(token, 'base64url');
      const other = Buffer.from(all.find((t) => t !== token) as string, 'base64url');
      const readable = (envelope: unknown) => Buffer.from(JSON.stringify(envelope)).toString('base64url');
      const edits = [
        // Another token's nonce, or its tag, on this token's body.
        Buffer.concat([own.subarray(0, 1), other.subarray(1, 13), own.subarray(13)]).toString('base64url'),
        Buffer.concat([own.subarray(0, own.length - 16), other.subarray(other.length - 16)]).toString('base64url'),
        Buffer.concat([Buffer.of(2), own.subarray(1)]).toString('base64url'),
        own.toString('base64'),
        own.toString('hex'),
        encodeURIComponent(token).replace(/-/g, '%2D'),
        // What the old readable tokens looked like, edited the way the outside test edited them.
        readable({ p: 'WS#default#EXPERIMENTS', k: { pk: 'x', sk: 'y' } }),
        readable({ p: 'WS#default#EXPERIMENTS', k: { gsi1pk: 'WS#paging-outsider#EXPERIMENTS', gsi1sk: 1 } }),
        readable({ p: 'search#0', k: { after: ['x'] } }),
        readable({ p: 'x', k: { from: {}, after: [1, 2, 3] } }),
        ' ',
        '%00',
        'A'.repeat(2000),
      ].filter((edit) => edit !== token);
      await inBatches(edits, async (edited) =>
        expectRefused(await page(api, list, edited), `${list.route.operationId} ${edited.slice(0, 60)}`),
      );
    }
  });

  test("another list's token, or another workspace's, is refused", async () => {
    // Routes that ask one use case the same query are one list, whatever the verb or dialect (run search by
    // GET or POST, in /api/v1 or MLflow's API; MLflow's experiment search by GET or POST): tokens carry over.
    const listOf = (operationId: string) => {
      const v1Name = operationId.replace(/^mlflow(.)/, (_, first: string) => first.toLowerCase());
      // MLflow's registry searches page the v1 lists they are twins of.
      if (v1Name === 'searchRegisteredModels') return 'listRegisteredModels';
      if (v1Name === 'searchModelVersions') return 'listRunModelVersions';
      return v1Name.replace(/^(searchRuns|searchExperiments).*$/, '$1');
    };
    const sameList = (a: string, b: string) => listOf(a) === listOf(b);
    for (const list of paginated) {
      for (const [operationId, token] of tokens) {
        if (sameList(operationId, list.route.operationId)) continue;
        expectRefused(await page(api, list, token), `${operationId}'s token on ${list.route.operationId}`);
      }
      // Same route in another workspace: the outsider's own lists (empty or not) refuse it.
      const token = tokens.get(list.route.operationId) as string;
      const elsewhere = await page(outsider, list, token);
      expect([400, 403, 404], `${list.route.operationId} in another workspace`).toContain(elsewhere.status);
      if (elsewhere.status === 400) expectRefused(elsewhere, `${list.route.operationId} in another workspace`);
    }
  });
});

test("an empty token is the first page on MLflow's routes, as proto3 reads an unset string", async () => {
  const mlflowLists = paginated.filter((list) => list.route.operationId.startsWith('mlflow'));
  // Runs, experiments, history, artifacts, registry and logged-model searches at least.
  expect(mlflowLists.length).toBeGreaterThanOrEqual(6);
  for (const list of mlflowLists) {
    const [absent, empty] = [await page(api, list, undefined), await page(api, list, '')];
    expect(empty.status, `${list.route.operationId}: ${JSON.stringify(empty.body)}`).toBe(200);
    const { next_page_token: absentToken, ...absentPage } = absent.body;
    const { next_page_token: emptyToken, ...emptyPage } = empty.body;
    expect(emptyPage, list.route.operationId).toEqual(absentPage);
    expect(typeof emptyToken, list.route.operationId).toBe(typeof absentToken);
  }
});

test('a token only continues the query that issued it', async () => {
  const byId = (id: string) => paginated.find((list) => list.route.operationId === id) as Paginated;
  const changed: Array<[string, Record<string, string>]> = [
    ['listExperiments', { 'tag.team': 'x' }],
    ['listRuns', { status: 'RUNNING' }],
    ['getMetricHistory', { start_step: '2' }],
    ['listArtifacts', { prefix: 'a' }],
    ['searchRuns', { filter: 'metrics.loss > 0' }],
    ['listRegisteredModels', { name_contains: 'paged' }],
    ['getAliasHistory', { alias: 'prod' }],
  ];
  for (const [operationId, query] of changed) {
    const list = byId(operationId);
    expect(list, operationId).toBeDefined();
    expectRefused(
      await page(api, list, tokens.get(operationId), query),
      `${operationId} with ${JSON.stringify(query)}`,
    );
  }
});
