import { readdirSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import { beforeAll, describe, expect, test } from 'vitest';
import type { RouteHandler } from '../../shared/http/handler.ts';
import { type RouteDefinition, routeKey, routeKeys, routePaths } from '../../shared/http/route-definition.ts';
import { routeList, routes } from '../../shared/http/route-table.ts';

const routesDirectory = 'shared/http/routes';
const entries = [...new Set(routeList.map((route) => route.entry))];
const routesOf = (entry: string) => routeList.filter((route) => route.entry === entry);

test('the table is keyed by operationId; operation ids and route keys are unique', () => {
  for (const [name, route] of Object.entries(routes)) expect(route.operationId).toBe(name);
  expect(new Set(routeList.map((route) => route.operationId)).size).toBe(routeList.length);
  expect(new Set(routeList.map(routeKey)).size).toBe(routeList.length);
  // Aliases too: no path is served twice, whether as a route's own or as another's alias.
  expect(new Set(routeList.flatMap(routeKeys)).size).toBe(routeList.flatMap(routeKeys).length);
});

test("MLflow's /api/<version>/ routes, and only they, are served under /ajax-api/<version>/ too, as on its server", () => {
  for (const route of routeList) {
    const aliases = routePaths(route).slice(1);
    const version = /^\/api\/(\d+\.\d+)\//.exec(route.path)?.[1];
    if (route.dialect === 'mlflow' && version !== undefined) {
      expect(aliases, route.operationId).toEqual([route.path.replace(`/api/${version}/`, `/ajax-api/${version}/`)]);
    } else {
      expect(aliases, route.operationId).toEqual([]);
    }
  }
  // MLflow's file routes sit at the root, with no /ajax-api form on its server either.
  expect(routePaths({ dialect: 'mlflow', path: '/get-artifact' })).toEqual(['/get-artifact']);
  expect(routePaths({ dialect: 'mlflow', path: '/api/3.0/mlflow/x' })).toEqual([
    '/api/3.0/mlflow/x',
    '/ajax-api/3.0/mlflow/x',
  ]);
});

test('every module under routes/ is in the table, and every route of the table comes from one', async () => {
  const fromModules: RouteDefinition[] = [];
  for (const file of readdirSync(routesDirectory).filter((name) => name.endsWith('.ts'))) {
    const module = (await import(path.resolve(routesDirectory, file))) as Record<string, RouteDefinition>;
    const exported = Object.values(module);
    expect(exported, file).toHaveLength(1);
    fromModules.push(...exported);
  }
  expect(new Set(fromModules)).toEqual(new Set(routeList));
});

test('routes sharing an entry are one operation: at most one /api/v1 route, and its MLflow forms', () => {
  // MLflow spells some operations several ways (search experiments by GET and POST, a metric's
  // history whole or sampled for several runs, a proxied upload whole or in parts): one function each.
  for (const entry of entries) {
    const v1 = routesOf(entry).filter((route) => (route.dialect ?? 'v1') === 'v1');
    expect(v1.length, entry).toBeLessThanOrEqual(1);
  }
});

describe('each entry', () => {
  beforeAll(() => {
    // Entries build their dependencies at module load; nothing is called here.
    process.env.STRATUS_TABLE_NAME ??= 'stratus-route-table-test';
    process.env.STRATUS_ARTIFACTS_BUCKET ??= 'stratus-route-table-test';
  });

  test.each(entries)('%s serves exactly the routes that name it', async (entry) => {
    const { handler } = (await import(path.resolve(entry))) as { handler: RouteHandler };
    expect([...handler.routeKeys].sort()).toEqual(routesOf(entry).flatMap(routeKeys).sort());
  });

  test.each(entries)('%s imports its own route modules, never the whole table', async (entry) => {
    const result = await build({
      entryPoints: [entry],
      bundle: true,
      write: false,
      metafile: true,
      platform: 'node',
      format: 'esm',
      packages: 'external',
      logLevel: 'silent',
    });
    const inputs = Object.keys(result.metafile.inputs);
    const routeModules = inputs.filter((input) => input.startsWith(`${routesDirectory}/`));
    // The OpenAPI function too: its document is generated at bundle time (cdk/bundling.ts).
    expect(inputs).not.toContain('shared/http/route-table.ts');
    expect(routeModules.length, routeModules.join(', ')).toBe(routesOf(entry).length);
  });
});
