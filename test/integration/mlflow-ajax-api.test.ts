import { beforeAll, expect, test } from 'vitest';
import { routePaths } from '../../shared/http/route-definition.ts';
import { routeList } from '../../shared/http/route-table.ts';
import { type ApiResponse, apiClient, useTestStack } from '../support/local-api.ts';
import { createRouteFixture } from '../support/registry-fixture.ts';
import { exampleRequest, type RouteFixture } from '../support/route-requests.ts';

/**
 * MLflow's `/ajax-api/<version>/...` aliases, generated from the route table: every MLflow route
 * served under `/api/<version>/` answers the same under `/ajax-api/<version>/`, as on MLflow's
 * server (its web app and some clients call that prefix). Two workspaces hold the same fixture;
 * each route's example request goes to one under its own path and to the other under its alias,
 * in table order, so both evolve alike (a delete here is a delete there), and the answers must
 * match once what differs by nature is masked: ids, names made of ids, times, page tokens, the
 * workspace and signatures in presigned URLs.
 */
const local = useTestStack();
const aliased = routeList.filter((route) => routePaths(route).length > 1);
const sides = {} as Record<'own' | 'alias', { api: ReturnType<typeof apiClient>; fixture: RouteFixture }>;

beforeAll(async () => {
  const operator = apiClient(local.stack.url, local.stack.token);
  const other = await operator.post('/api/v1/admin/workspaces', { workspace_id: 'ajax-alias' });
  expect(other.status).toBe(201);
  const api = apiClient(local.stack.url, other.body.admin_token.token);
  sides.own = { api: operator, fixture: await createRouteFixture(operator, 'aliases') };
  sides.alias = { api, fixture: await createRouteFixture(api, 'aliases') };
}, 120_000);

/** An answer with what differs between two equal requests in two workspaces masked. */
function masked(response: ApiResponse) {
  const text = JSON.stringify({
    status: response.status,
    location: response.headers.get('location')?.replace(/\?.*$/, '?<signed>'),
    body: response.body,
  });
  return JSON.parse(
    text
      .replace(/[0-9a-f]{32}/g, '<id>')
      .replace(/run-[0-9a-f]{8}/g, 'run-<id>') // a run's default name
      .replace(/[0-9a-f]{16}/g, '<token id>') // a registry user_id
      .replace(/workspaces\/[^/]+\//g, 'workspaces/<workspace>/') // in presigned URLs
      .replace(/\b\d{12,}\b/g, '0') // times: a number, in a string or not
      .replace(/"(next_page_token|upload_id)":"[^"]*"/g, '"$1":"<token>"')
      .replace(/(https?:\/\/[^"?]+)\?[^"]*/g, '$1?<signed>'),
  ) as unknown;
}

/** The same request on the other side: its fixture's ids in place of this one's. */
const mirrored = (text: string) =>
  text
    .replaceAll(sides.own.fixture.experimentId, sides.alias.fixture.experimentId)
    .replaceAll(sides.own.fixture.runId, sides.alias.fixture.runId);

test('every MLflow route under /api/<version>/ has its /ajax-api alias, and no other route has one', () => {
  expect(aliased.length).toBeGreaterThan(50);
  expect(aliased.every((route) => route.dialect === 'mlflow')).toBe(true);
  for (const route of aliased) expect(routePaths(route)[1]).toBe(route.path.replace(/^\/api\//, '/ajax-api/'));
});

test.each(aliased.map((route) => [`${route.method} ${route.path}`, route] as const))(
  '%s answers the same under /ajax-api',
  async (_, route) => {
    const { path, body } = exampleRequest(route, sides.own.fixture);
    // Aliased paths all start /api/ (the test above); the alias is the same path under /ajax-api/.
    const aliasPath = path.replace(/^\/api\//, '/ajax-api/');
    const aliasBody = body === undefined ? undefined : JSON.parse(mirrored(JSON.stringify(body)));
    const own = await sides.own.api.call(route.method, path, body);
    const alias = await sides.alias.api.call(route.method, mirrored(aliasPath), aliasBody);
    expect(masked(alias)).toEqual(masked(own));
    // Without a token, both are MLflow's UNAUTHENTICATED: the alias goes through the same handler.
    const anonymous = apiClient(local.stack.url);
    const refusals = await Promise.all([anonymous.call(route.method, path), anonymous.call(route.method, aliasPath)]);
    expect(refusals.map((response) => [response.status, response.body?.error_code])).toEqual([
      [401, 'UNAUTHENTICATED'],
      [401, 'UNAUTHENTICATED'],
    ]);
  },
);
