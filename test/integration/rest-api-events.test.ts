import { request } from 'node:http';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { type LocalServer, startLocalServer } from '../../local/server.ts';
import { routeList } from '../../shared/http/route-table.ts';
import { type ApiClient, apiClient, startTestStack, type TestStack } from '../support/local-api.ts';
import { exampleRequest, type RouteFixture } from '../support/route-requests.ts';

/**
 * `stratus:apiType=rest` puts the functions behind a REST API (v1), whose
 * Lambda proxy events differ from an HTTP API's (payload 1.0: `resource` and
 * `httpMethod` instead of a route key, header names as the client wrote them,
 * repeated values as lists). The local server can send either kind: here one
 * stack's handlers are served twice, by a server sending HTTP API events and
 * by one sending REST API events, and the same requests (on data of their own)
 * must get the same answers.
 */
let stack: TestStack;
let restServer: LocalServer;
let http: ApiClient;
let rest: ApiClient;

beforeAll(async () => {
  stack = await startTestStack();
  restServer = await startLocalServer({ host: '127.0.0.1', port: 0, apiType: 'rest' });
  http = apiClient(stack.url, stack.token);
  rest = apiClient(restServer.url, stack.token);
}, 120_000);

afterAll(async () => {
  await restServer?.close();
  await stack?.stop();
});

/** Data of each side's own: an experiment, a run with a metric, an artifact upload planned, a token. */
async function fixtureIn(api: ApiClient, name: string): Promise<RouteFixture> {
  const run = await api.post('/api/v1/runs', { experiment_name: name, run_name: 'r' });
  expect(run.status).toBe(201);
  await api.post(`/api/v1/runs/${run.body.run_id}/metrics`, { metrics: [{ key: 'loss', value: 1, step: 1 }] });
  const upload = await api.post(`/api/v1/runs/${run.body.run_id}/artifacts`, {
    path: 'model.bin',
    artifact_type: 'model',
    size_bytes: 1,
  });
  expect(upload.status).toBe(201);
  const token = await api.post('/api/v1/admin/tokens', { scope: 'read', name: 'reader' });
  return {
    experimentId: run.body.experiment_id,
    experimentName: name,
    runId: run.body.run_id,
    metricKey: 'loss',
    tokenId: token.body.token_id,
    artifactPath: 'model.bin',
  };
}

const answerOf = (response: { status: number; body: any }) => ({
  status: response.status,
  code: response.body?.error?.code ?? response.body?.error_code,
});

test('every route of the table answers a REST API event as it answers an HTTP API event', async () => {
  const httpFixture = await fixtureIn(http, 'events-http');
  const restFixture = await fixtureIn(rest, 'events-rest');
  const differences: string[] = [];
  // One route at a time, in the table's order, the same request to both: deletions and purges
  // change the data the later routes see alike in both stacks.
  for (const route of routeList) {
    const viaHttp = exampleRequest(route, httpFixture);
    const viaRest = exampleRequest(route, restFixture);
    const httpAnswer = await http.call(route.method, viaHttp.path, viaHttp.body);
    const restAnswer = await rest.call(route.method, viaRest.path, viaRest.body);
    expect(restAnswer.status, `${route.operationId}: ${JSON.stringify(restAnswer.body)}`).toBeLessThan(500);
    const [a, b] = [answerOf(httpAnswer), answerOf(restAnswer)];
    if (a.status !== b.status || a.code !== b.code) {
      differences.push(`${route.method} ${route.path}: HTTP API ${JSON.stringify(a)}, REST API ${JSON.stringify(b)}`);
    }
  }
  expect(differences).toEqual([]);
}, 180_000);

/** A request with header names as written here (fetch would lower-case them). */
function rawRequest(url: string, method: string, headers: Record<string, string>, body?: string) {
  return new Promise<{ status: number; body: any }>((resolve, reject) => {
    const sent = request(url, { method, headers }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, body: text ? JSON.parse(text) : undefined }),
      );
    });
    sent.on('error', reject);
    sent.end(body);
  });
}

test('header names in any case: Authorization and Content-Type as most clients write them', async () => {
  const created = await rawRequest(
    `${restServer.url}/api/v1/experiments`,
    'POST',
    { Authorization: `Bearer ${stack.token}`, 'Content-Type': 'application/json' },
    JSON.stringify({ experiment_name: 'capitalised-headers' }),
  );
  expect(created.status).toBe(201);
  const anonymous = await rawRequest(`${restServer.url}/api/v1/experiments`, 'GET', { Accept: 'application/json' });
  expect(anonymous.status).toBe(401);
});

test('repeated query parameters, percent-encoded and greedy path parameters reach the handler as over an HTTP API', async () => {
  const run = await rest.post('/api/v1/runs', { experiment_name: 'rest-params', run_name: 'p' });
  // A metric key with a slash and a space, read back through the greedy {metric_key+} route.
  const key = 'eval/top 1';
  const logged = await rest.post(`/api/v1/runs/${run.body.run_id}/metrics`, {
    metrics: [0, 1, 2].map((step) => ({ key, value: step / 10, step })),
  });
  expect(logged.status).toBeLessThan(300);
  const history = await rest.get(`/api/v1/runs/${run.body.run_id}/metrics/eval/top%201`);
  expect(history.status, JSON.stringify(history.body)).toBe(200);
  expect(JSON.stringify(history.body)).toContain('"step":2');

  // Repeated query parameters arrive joined with commas, as an HTTP API joins them: here not one id.
  const repeatedIn = async (api: ApiClient, name: string) => {
    const made = await api.post('/api/v1/runs', { experiment_name: name, run_name: 'q' });
    const id = made.body.experiment_id;
    const once = await api.get(`/api/v1/runs/search?experiment_id=${id}`);
    const twice = await api.get(`/api/v1/runs/search?experiment_id=${id}&experiment_id=${id}`);
    return { once: once.status, twice: answerOf(twice), message: twice.body?.error?.message };
  };
  const [viaHttp, viaRest] = await Promise.all([repeatedIn(http, 'repeated-http'), repeatedIn(rest, 'repeated-rest')]);
  expect(viaRest.once).toBe(200);
  expect(viaRest.twice.status).toBe(400);
  expect(viaRest.message).toContain('experiment_id');
  expect(viaRest.twice).toEqual(viaHttp.twice);

  // A repeated parameter whose joined value would read as one valid value is refused by name on both.
  for (const api of [http, rest]) {
    const twice = await api.get(`/api/v1/runs/${run.body.run_id}/artifacts?prefix=a&prefix=b`);
    expect([twice.status, twice.body?.error?.message]).toEqual([400, 'query.prefix: given more than once']);
  }
});
