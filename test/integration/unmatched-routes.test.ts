import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { type LocalServer, startLocalServer } from '../../local/server.ts';
import { dialectOf, type RouteDefinition, routePaths } from '../../shared/http/route-definition.ts';
import { routeList } from '../../shared/http/route-table.ts';
import { createRouter } from '../../local/router.ts';
import { webApp } from '../../local/web-app.ts';

/**
 * Requests no route takes, generated from the route table: at every route's
 * path, and one segment past it, each method no route takes there is a 405
 * whose `Allow` names the methods that are taken, or a 404 where none is; both
 * in the dialect the path belongs to (MLflow's client reads only MLflow's
 * shape; it showed these as INTERNAL_ERROR). Which route takes a request is the
 * router's answer (API Gateway's precedence, test/unit/router.test.ts): a
 * static path such as /api/v1/runs/search is also a run id for GET. MLflow's routes are tried at
 * their /ajax-api aliases too. No token is
 * sent: the route table is public (OpenAPI), and these answers come before any
 * function runs.
 */
let server: LocalServer;

/** A stand-in for the web app, which `npm start` serves at every path outside the API. */
const web = {
  serve: (_request: unknown, response: ServerResponse) => void response.writeHead(200).end('web app'),
};

beforeAll(async () => {
  server = await startLocalServer({ host: '127.0.0.1', port: 0, web });
}, 60_000);

afterAll(async () => {
  await server?.close();
});

const methods = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;
const route = createRouter(routeList);

/** A request path for a route path: variables get values that are no route's static segment. */
const concrete = (path: string) =>
  path.replace(/\{(\w+)(\+)?\}/g, (_, name: string, greedy?: string) => (greedy ? `${name}1/${name}2` : `${name}1`));

const paths = [
  ...new Set(
    routeList.flatMap(routePaths).flatMap((served) => [concrete(served), `${concrete(served)}/no-such-endpoint`]),
  ),
];
/** What is expected of each method no route takes at the path: 405 naming the taken ones, or 404 where none is. */
const cases = paths.map((path) => {
  const taken = methods.flatMap((method) => {
    const match = route(method, path);
    return match ? [match.route] : [];
  });
  return { path, taken, untaken: methods.filter((method) => !route(method, path)) };
});

const errorOf = (dialect: string, body: any) =>
  dialect === 'mlflow' ? { code: body.error_code, message: body.message } : body.error;

test('the table yields both kinds of unmatched request', () => {
  expect(cases.filter((c) => c.taken.length > 0 && c.untaken.length > 0).length).toBeGreaterThan(routeList.length / 2);
  expect(cases.filter((c) => c.taken.length === 0).length).toBeGreaterThan(routeList.length / 2);
});

test.each(cases.map((c) => [c.path, c] as const))(
  '%s: every method no route takes',
  async (path, { taken, untaken }) => {
    for (const method of untaken) {
      const response = await fetch(`${server.url}${path}`, { method });
      const text = method === 'HEAD' ? undefined : await response.text();
      const body = text === undefined || text === 'web app' ? text : JSON.parse(text);
      if (taken.length > 0 || /^\/(api|ajax-api)\//.test(path)) {
        // As every answer of a route does (README, "Tokens and workspaces"): a tester reads these too.
        expect(response.headers.get('cache-control'), method).toBe('no-store');
        expect(response.headers.get('x-content-type-options'), method).toBe('nosniff');
      }
      if (taken.length > 0) {
        expect(response.status, method).toBe(405);
        const allow = response.headers.get('allow') ?? '';
        expect(allow.split(', ').sort(), method).toEqual(taken.map((definition) => definition.method).sort());
        if (body === undefined) continue;
        const dialect = dialectOf(taken[0] as RouteDefinition);
        const error = errorOf(dialect, body);
        expect(error.code, method).toBe(dialect === 'mlflow' ? 'ENDPOINT_NOT_FOUND' : 'route.method_not_allowed');
        expect(error.message).toBe(`${method} is not allowed on ${path}; it takes ${allow}`);
      } else if (!/^\/(api|ajax-api)\//.test(path)) {
        // Outside the API (MLflow's file routes sit at the root), a path no route takes is the web app's.
        expect([response.status, body === undefined ? 'web app' : body], method).toEqual([200, 'web app']);
      } else {
        expect(response.status, method).toBe(404);
        if (body === undefined) continue;
        const mlflow = /^\/(ajax-)?api\/\d+\.\d+\/mlflow(-artifacts)?\//.test(path);
        const error = errorOf(mlflow ? 'mlflow' : 'v1', body);
        expect(error.code, method).toBe(mlflow ? 'ENDPOINT_NOT_FOUND' : 'route.not_found');
        expect(error.message).toBe(`no route for ${method} ${path}`);
      }
    }
  },
);

/**
 * A route's path spelt another way: with a trailing slash, with an empty segment, with its
 * prefix in capitals. API Gateway's paths are case-sensitive and these are no route's; the local
 * server used to route the first two as the path itself and give the last to the web app's page.
 */
const misspelt = (path: string) =>
  [
    `${path}/`,
    path.replace(/^(\/[^/]+)\//, '$1//'),
    path.replace(/(.)\/([^/]+)$/, '$1//$2'),
    path.replace(/^\/[^/]+/, (prefix) => prefix.toUpperCase()),
    path.replace(/^\/[^/]+/, (prefix) => prefix[0] + prefix[1]!.toUpperCase() + prefix.slice(2)),
  ].filter((spelt) => spelt !== path);
const misspeltCases = routeList.flatMap((definition) =>
  routePaths(definition).flatMap((served) =>
    misspelt(concrete(served)).map((path) => [`${definition.method} ${path}`, definition, path] as const),
  ),
);

test.each(misspeltCases)('%s, a route spelt another way, is no route', async (_, definition, path) => {
  const response = await fetch(`${server.url}${path}`, { method: definition.method });
  const text = await response.text();
  if (!/^\/(api|ajax-api)\//i.test(path)) {
    // MLflow's file routes at the root: spelt another way, a path of the web app's, as any there.
    expect([response.status, text]).toEqual([200, 'web app']);
    return;
  }
  expect(response.status, text).toBe(404);
  expect(response.headers.get('content-type')).toBe('application/json');
  const message = `no route for ${definition.method} ${path}`;
  expect(JSON.parse(text)).toEqual(
    dialectOf(definition) === 'mlflow'
      ? { error_code: 'ENDPOINT_NOT_FOUND', message }
      : { error: { code: 'route.not_found', message } },
  );
});

test('every route yields each misspelling, and the web app never answers under an API prefix', async () => {
  expect(misspeltCases.length).toBeGreaterThan(4 * routeList.flatMap(routePaths).length);
  for (const path of ['/API', '/api', '/Ajax-Api', '/API/v1', '/aPi/v1/experiments', '//API/v1/experiments']) {
    const response = await fetch(`${server.url}${path}`);
    expect([response.status, response.headers.get('content-type')], path).toEqual([404, 'application/json']);
  }
  // Leading slashes stay one (a base URL ending in `/`; MLflow's own tests send `//model-versions/...`).
  expect((await fetch(`${server.url}//api/v1/experiments`, { method: 'PUT' })).status).toBe(405);
});

test.each([
  ['POST', '/api/2.0/mlflow/traces/search'],
  ['GET', '/api/3.0/mlflow/traces/abc'],
  ['POST', '/api/2.0/mlflow-artifacts/mpu/nope'],
  ['POST', '/ajax-api/2.0/mlflow/experiments/search-datasets'],
])("%s %s, MLflow's but not Stratus's, is MLflow's ENDPOINT_NOT_FOUND", async (method, path) => {
  const response = await fetch(`${server.url}${path}`, { method });
  expect(response.status).toBe(404);
  expect(await response.json()).toEqual({
    error_code: 'ENDPOINT_NOT_FOUND',
    message: `no route for ${method} ${path}`,
  });
});

test("paths outside the API and /ajax-api are the web app's, but for MLflow's file routes", async () => {
  expect(await (await fetch(`${server.url}/experiments/1`)).text()).toBe('web app');
  expect(await (await fetch(`${server.url}/ajax-api2/x`)).text()).toBe('web app');
  expect(await (await fetch(`${server.url}/get-artifact/x`)).text()).toBe('web app');
  // The route table's, not the web app's (a method they do not take is MLflow's 405); MLflow's own tests
  // send `//model-versions/...`, which is that path, not a URL naming a host.
  for (const path of ['/get-artifact', '/model-versions/get-artifact', '//model-versions/get-artifact']) {
    const response = await fetch(`${server.url}${path}?path=x`, { method: 'DELETE' });
    expect([response.status, response.headers.get('allow')], path).toEqual([405, 'GET']);
    expect(await response.json()).toEqual({
      error_code: 'ENDPOINT_NOT_FOUND',
      message: `DELETE is not allowed on ${path}; it takes GET`,
    });
  }
});

test("the web UI's pages take GET and HEAD alone: any other method is a 405 with Allow", async () => {
  const root = mkdtempSync(join(tmpdir(), 'stratus-web-'));
  writeFileSync(join(root, 'index.html'), '<!doctype html>');
  const withWeb = await startLocalServer({ host: '127.0.0.1', port: 0, web: webApp({ root, artifactOrigins: [] }) });
  try {
    expect((await fetch(`${withWeb.url}/experiments/1`, { method: 'HEAD' })).status).toBe(200);
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']) {
      const response = await fetch(`${withWeb.url}/experiments/1`, { method });
      expect([response.status, response.headers.get('allow')], method).toEqual([405, 'GET, HEAD']);
    }
  } finally {
    await withWeb.close();
    rmSync(root, { recursive: true });
  }
});

test.each([
  ['GET', '/api/v2/runs'],
  ['DELETE', '/api/v1/nothing'],
  ['GET', '/api/2.0/mlflowish/runs/get'],
])("%s %s, nobody's, is a v1 404", async (method, path) => {
  const response = await fetch(`${server.url}${path}`, { method });
  expect(response.status).toBe(404);
  expect(await response.json()).toEqual({
    error: { code: 'route.not_found', message: `no route for ${method} ${path}` },
  });
});
