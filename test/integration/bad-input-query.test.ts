import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { dialectOf, type RouteDefinition } from '../../shared/http/route-definition.ts';
import { routeList } from '../../shared/http/route-table.ts';
import { type ApiClient, apiClient, startTestStack, type TestStack } from '../support/local-api.ts';
import { exampleRequest, type RouteFixture } from '../support/route-requests.ts';
import { schemaFields } from '../support/schema-fields.ts';

/**
 * Query parameters, generated over the route table: every /api/v1 route refuses a parameter it
 * does not take with a 400 naming it (a `?limit=10` used to be ignored and answer 50), before it
 * changes anything, and suggests the parameter it likely meant; MLflow's routes stay lenient, as
 * MLflow's server is (its client sends what it sends). Page sizes are decimal digits on /api/v1.
 */
let stack: TestStack;
let api: ApiClient;
let fixture: RouteFixture;

beforeAll(async () => {
  stack = await startTestStack();
  api = apiClient(stack.url, stack.token);
  const run = await api.post('/api/v1/runs', { experiment_name: 'queried', run_name: 'r' });
  expect(run.status).toBe(201);
  await api.post(`/api/v1/runs/${run.body.run_id}/metrics`, { metric_name: 'acc', metric_value: 1 });
  fixture = {
    experimentId: run.body.experiment_id,
    experimentName: 'queried',
    runId: run.body.run_id,
    metricKey: 'acc',
    tokenId: '0123456789abcdef',
    artifactPath: 'queried/never.bin',
  };
});
afterAll(() => stack?.stop());

const withQuery = (path: string, extra: string) => `${path}${path.includes('?') ? '&' : '?'}${extra}`;

const v1Routes = routeList.filter((route) => dialectOf(route) === 'v1');
const mlflowGets = routeList.filter((route) => dialectOf(route) === 'mlflow' && route.method === 'GET');

test('the generated rows cover both dialects and every /api/v1 route', () => {
  expect(v1Routes.length).toBeGreaterThan(50);
  expect(mlflowGets.length).toBeGreaterThan(10);
});

describe.each(v1Routes.map((route) => [`${route.method} ${route.path}`, route] as const))('%s', (_, route) => {
  test('an unknown query parameter is a 400 naming it, before anything changes', async () => {
    const { path, body } = exampleRequest(route, fixture);
    const answer = await api.call(route.method, withQuery(path, 'stratus_unknown=1'), body);
    expect(answer.status, JSON.stringify(answer.body)).toBe(400);
    expect(answer.body.error.code).toBe('query.invalid');
    expect(answer.body.error.message).toBe('query.stratus_unknown: is not a parameter of this request');
  });
});

/** The parameters a route's query schema documents (an experiments or models filter's `tag.KEY` aside). */
const queryNames = (route: RouteDefinition) =>
  schemaFields(route.request.query!, {}).map((field) => String(field.path[0]));
const v1Gets = v1Routes.filter((route) => route.method === 'GET' && route.request.query);

test('the repeat rows cover every /api/v1 GET route that takes a query', () => {
  expect(v1Gets.length).toBeGreaterThan(10);
  expect(v1Gets.flatMap(queryNames)).toContain('page_token');
});

describe.each(v1Gets.map((route) => [`${route.method} ${route.path}`, route] as const))('%s', (_, route) => {
  // API Gateway joins a repeated parameter's values with commas: `max_results=5&max_results=7` read as "5,7".
  test.each(queryNames(route))(
    '%s given twice is a 400 naming it, unless the route reads it as a list',
    async (name) => {
      const { path } = exampleRequest(route, fixture);
      const answer = await api.get(withQuery(path, `${name}=1&${name}=2`));
      if (route.request.repeatableQuery?.includes(name)) {
        expect(answer.body?.error?.message ?? '').not.toContain('given more than once');
        const accepted = await api.get(withQuery(path, `${name}=start_time&${name}=end_time%20DESC`));
        expect(accepted.status, JSON.stringify(accepted.body)).toBe(200);
        return;
      }
      expect(answer.status, JSON.stringify(answer.body)).toBe(400);
      expect(answer.body.error).toEqual({ code: 'query.invalid', message: `query.${name}: given more than once` });
    },
  );
});

describe('suggestions and what stays accepted', () => {
  test('?limit= on a list suggests max_results; a misspelling suggests what it meant', async () => {
    const runs = `/api/v1/experiments/${fixture.experimentId}/runs`;
    const cases: Array<[string, string]> = [
      [`${runs}?limit=10`, "query.limit: is not a parameter of this request; did you mean 'max_results'?"],
      [`${runs}?max_result=10`, "query.max_result: is not a parameter of this request; did you mean 'max_results'?"],
      [`${runs}?pageToken=x`, "query.pageToken: is not a parameter of this request; did you mean 'page_token'?"],
      [`/api/v1/runs/${fixture.runId}?status=x`, 'query.status: is not a parameter of this request'],
    ];
    for (const [path, message] of cases) {
      const answer = await api.get(path);
      expect(answer.status, path).toBe(400);
      expect(answer.body.error.message, path).toBe(message);
    }
  });

  test('a refused write changes nothing', async () => {
    const answer = await api.post(`/api/v1/runs/${fixture.runId}/params?dry_run=1`, { params: { never: 'x' } });
    expect(answer.status).toBe(400);
    expect((await api.get(`/api/v1/runs/${fixture.runId}`)).body.params).not.toHaveProperty('never');
  });

  test('a repeat is found however its name is spelt, a tag.KEY filter too; MLflow reads repeats as lists', async () => {
    const cases: Array<[string, string]> = [
      ['/api/v1/experiments?max%5Fresults=1&max_results=2', 'query.max_results: given more than once'],
      ['/api/v1/experiments?tag.team=a&tag.team=b', 'query.tag.team: given more than once'],
      ['/api/v1/models?page_token=a&max_results=3&page_token=b', 'query.page_token: given more than once'],
    ];
    for (const [path, message] of cases) {
      const answer = await api.get(path);
      expect([answer.status, answer.body.error?.message], path).toEqual([400, message]);
    }
    expect((await api.get('/api/v1/experiments?tag.team=a&tag.group=b')).status).toBe(200);
    // MLflow's repeated fields come as repeated parameters (its GET forms), joined as API Gateway joins them.
    const latest = await api.get(
      '/api/2.0/mlflow/registered-models/get-latest-versions?name=none&stages=None&stages=Staging',
    );
    expect(latest.body.error_code).toBe('RESOURCE_DOES_NOT_EXIST');
  });

  test("experiments' tag.KEY filters are still taken, and no other name", async () => {
    expect((await api.get('/api/v1/experiments?tag.team=x')).status).toBe(200);
    expect((await api.get('/api/v1/experiments?tags.team=x')).status).toBe(400);
  });

  test('max_results is decimal digits on /api/v1: 1e1, 0x10, an empty value and a sign are refused naming it', async () => {
    const runs = `/api/v1/experiments/${fixture.experimentId}/runs`;
    for (const size of ['1e1', '0x10', '', '+5', ' 5', '5.0']) {
      const answer = await api.get(`${runs}?max_results=${encodeURIComponent(size)}`);
      expect(answer.status, size).toBe(400);
      expect(answer.body.error.message, size).toMatch(/^query\.max_results: /);
    }
    expect((await api.get(`${runs}?max_results=10`)).status).toBe(200);
    const history = `/api/v1/runs/${fixture.runId}/metrics/acc`;
    expect((await api.get(`${history}?max_results=0x10`)).status).toBe(400);
  });

  test('a page_token beside max_points is a 400 naming page_token and max_points', async () => {
    const history = `/api/v1/runs/${fixture.runId}/metrics/acc`;
    const answer = await api.get(`${history}?max_points=10&page_token=abc`);
    expect(answer.status).toBe(400);
    expect(answer.body.error.message).toMatch(/^query\.page_token: cannot be combined with max_points/);
    expect((await api.get(`${history}?max_points=10`)).status).toBe(200);
  });
});

describe.each(mlflowGets.map((route) => [`${route.method} ${route.path}`, route] as const))('%s', (_, route) => {
  test('an unknown query parameter is ignored, as on MLflow', async () => {
    const { path } = exampleRequest(route, fixture);
    const plain = await fetch(`${stack.url}${path}`, {
      redirect: 'manual',
      headers: { authorization: `Bearer ${stack.token}` },
    });
    const extra = await fetch(`${stack.url}${withQuery(path, 'stratus_unknown=1')}`, {
      redirect: 'manual',
      headers: { authorization: `Bearer ${stack.token}` },
    });
    expect(extra.status).toBe(plain.status);
  });
});
