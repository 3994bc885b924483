import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import * as z from 'zod/mini';
import { expect, test } from 'vitest';
import { ConflictError, NotFoundError } from '../../shared/errors.ts';
import { createHandler, serveRoutes } from '../../shared/http/handler.ts';
import { createMlflowHandler } from '../../shared/http/mlflow/handler.ts';
import { defineRoute, type RouteDefinition } from '../../shared/http/route-definition.ts';

/** Two routes of one operation, one per dialect, as the MLflow routes will be. */
const base = {
  entry: 'lambdas/example.ts',
  summary: 'Example',
  tag: 'example',
  access: 'read',
  request: { path: z.object({ id: z.string().check(z.regex(/^\d+$/, { error: 'must be digits' })) }) },
  response: { status: 200, description: 'The thing', body: z.object({ id: z.string() }) },
  table: { actions: ['GetItem'] },
} satisfies Partial<RouteDefinition>;
const v1Route = defineRoute({ ...base, operationId: 'getThing', method: 'GET', path: '/api/v1/things/{id}' });
const mlflowRoute = defineRoute({
  ...base,
  operationId: 'mlflowGetThing',
  method: 'GET',
  path: '/api/2.0/mlflow/things/{id}',
  dialect: 'mlflow',
});

const reader = () => ({
  authenticate: async () => ({ workspaceId: 'w', scope: 'read' as const, tokenId: '0123456789abcdef' }),
});
const context = { awsRequestId: 'req-1' } as Context;
const event = (route: RouteDefinition, id: string) =>
  ({
    version: '2.0',
    routeKey: `${route.method} ${route.path}`,
    headers: {},
    pathParameters: { id },
    requestContext: { requestId: 'r1' },
    isBase64Encoded: false,
  }) as unknown as APIGatewayProxyEventV2;

const handler = serveRoutes(
  createHandler(v1Route, async ({ path }) => ({ body: { id: path.id, via: 'v1' } }), { authenticator: reader }),
  createMlflowHandler(
    mlflowRoute,
    async ({ path }) => {
      if (path.id === '404') throw new NotFoundError('thing', path.id);
      if (path.id === '409') throw new ConflictError('thing.exists', 'thing 409 already exists');
      return { body: { id: path.id, via: 'mlflow' } };
    },
    { authenticator: reader },
  ),
);

test('one handler serves several routes, chosen by the route key', async () => {
  expect(handler.routeKeys).toEqual([
    `GET ${v1Route.path}`,
    `GET ${mlflowRoute.path}`,
    'GET /ajax-api/2.0/mlflow/things/{id}',
  ]);
  expect(JSON.parse((await handler(event(v1Route, '1'), context)).body as string)).toEqual({ id: '1', via: 'v1' });
  expect(JSON.parse((await handler(event(mlflowRoute, '2'), context)).body as string)).toEqual({
    id: '2',
    via: 'mlflow',
  });
});

test("an MLflow route's /ajax-api alias is the same route", async () => {
  const alias = { ...event(mlflowRoute, '3'), routeKey: 'GET /ajax-api/2.0/mlflow/things/{id}' };
  expect(JSON.parse((await handler(alias, context)).body as string)).toEqual({ id: '3', via: 'mlflow' });
});

test('a route key the entry does not serve is a 404, not another route', async () => {
  const stray = { ...event(v1Route, '1'), routeKey: 'GET /api/v1/other' };
  const response = await handler(stray, context);
  expect(response.statusCode).toBe(404);
  expect(JSON.parse(response.body as string).error.code).toBe('route.not_found');
});

test('errors are rendered in the dialect of the route that failed', async () => {
  const v1 = await handler(event(v1Route, 'x'), context);
  expect(v1.statusCode).toBe(400);
  expect(JSON.parse(v1.body as string)).toEqual({
    error: { code: 'path.invalid', message: 'path.id: must be digits' },
  });

  const invalid = await handler(event(mlflowRoute, 'x'), context);
  expect(invalid.statusCode).toBe(400);
  expect(JSON.parse(invalid.body as string)).toEqual({
    error_code: 'INVALID_PARAMETER_VALUE',
    message: `Invalid value "x" for parameter 'id' supplied: must be digits`,
  });
  const missing = await handler(event(mlflowRoute, '404'), context);
  expect(missing.statusCode).toBe(404);
  expect(JSON.parse(missing.body as string).error_code).toBe('RESOURCE_DOES_NOT_EXIST');
  // MLflow answers an existing resource with 400, not 409.
  const exists = await handler(event(mlflowRoute, '409'), context);
  expect(exists.statusCode).toBe(400);
  expect(JSON.parse(exists.body as string)).toEqual({
    error_code: 'RESOURCE_ALREADY_EXISTS',
    message: 'thing 409 already exists',
  });
});

test('an MLflow route built without the MLflow renderer is refused when the entry loads', () => {
  expect(() => createHandler(mlflowRoute, async () => ({}), { authenticator: reader })).toThrow(
    /GET \/api\/2\.0\/mlflow\/things\/\{id\} is an MLflow route: build its handler with createMlflowHandler/,
  );
});

test('two handlers for one route key are refused when the entry loads', () => {
  const twice = () =>
    serveRoutes(
      createHandler(v1Route, async () => ({}), { authenticator: reader }),
      createHandler(v1Route, async () => ({}), { authenticator: reader }),
    );
  expect(twice).toThrow(/two handlers for GET \/api\/v1\/things\/\{id\}/);
});
