import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { expect, test } from 'vitest';
import { ConflictError, ServiceUnavailableError } from '../../shared/errors.ts';
import { createHandler } from '../../shared/http/handler.ts';
import { routes } from '../../shared/http/route-table.ts';

const event = (body?: string): APIGatewayProxyEventV2 =>
  ({
    version: '2.0',
    routeKey: 'POST /api/v1/runs/{run_id}/tags',
    rawPath: '/',
    rawQueryString: '',
    headers: { 'content-type': 'application/json' },
    pathParameters: { run_id: 'a'.repeat(32) },
    requestContext: { requestId: 'r1' },
    body,
    isBase64Encoded: false,
  }) as unknown as APIGatewayProxyEventV2;
const context = { awsRequestId: 'req-1' } as Context;

// The real Authenticator needs DynamoDB (tested through HTTP in test/integration/auth.test.ts);
// here every request is a write-scoped caller, so these tests see only the factory's own logic.
const writer = () => ({
  authenticate: async () => ({ workspaceId: 'w', scope: 'write' as const, tokenId: '0123456789abcdef' }),
});
const validBody = JSON.stringify({ tags: { a: 'b' } });

test('typed errors keep their status, code and message', async () => {
  const handler = createHandler(
    routes.setRunTags,
    async () => {
      throw new ConflictError('run.thing', 'the run is in the way');
    },
    { authenticator: writer },
  );
  const response = await handler(event(validBody), context);
  expect(response.statusCode).toBe(409);
  expect(JSON.parse(response.body as string)).toEqual({
    error: { code: 'run.thing', message: 'the run is in the way' },
  });
});

test('an unavailable store is a 503 with Retry-After', async () => {
  const handler = createHandler(
    routes.setRunTags,
    async () => {
      throw new ServiceUnavailableError(1);
    },
    { authenticator: writer },
  );
  const response = await handler(event(validBody), context);
  expect(response.statusCode).toBe(503);
  expect(response.headers?.['retry-after']).toBe('1');
});

test('anything else is a bare 500 that leaks nothing', async () => {
  const handler = createHandler(
    routes.setRunTags,
    async () => {
      throw new Error('secret table name stratus-prod-xyz');
    },
    { authenticator: writer },
  );
  const stderr = process.stderr.write;
  process.stderr.write = () => true; // the error is logged; keep test output clean
  try {
    const response = await handler(event(validBody), context);
    expect(response.statusCode).toBe(500);
    expect(response.body).not.toContain('secret');
    expect(JSON.parse(response.body as string).error.code).toBe('internal');
  } finally {
    process.stderr.write = stderr;
  }
});

test('the handler is not called when validation fails', async () => {
  let called = false;
  const handler = createHandler(
    routes.setRunTags,
    async () => {
      called = true;
      return {};
    },
    { authenticator: writer },
  );
  const response = await handler(event(JSON.stringify({ tags: { a: 1 } })), context);
  expect(response.statusCode).toBe(400);
  expect(JSON.parse(response.body as string).error.message).toMatch(/^body\.tags\.a:/);
  expect(called).toBe(false);
});

test("a path a gateway resolved past a '..' segment is refused before the handler runs", async () => {
  // Had the gateway resolved `DELETE /runs/R/tags/%2e%2e` to the run's own route, the raw path still says so.
  let called = false;
  const handler = createHandler(
    routes.deleteRun,
    async () => {
      called = true;
      return { status: 200, body: { deleted: true } };
    },
    { authenticator: writer },
  );
  for (const tail of ['..', '%2e%2e', '%2E.', '.', '%2e']) {
    const response = await handler(
      { ...event(), routeKey: 'DELETE /api/v1/runs/{run_id}', rawPath: `/api/v1/runs/${'a'.repeat(32)}/tags/${tail}` },
      context,
    );
    expect(response.statusCode, tail).toBe(400);
    expect(JSON.parse(response.body as string).error, tail).toEqual({
      code: 'path.dot_segment',
      message: expect.stringContaining(`'${tail}' segment is not a name`),
    });
  }
  expect(called).toBe(false);
  // Dots inside a segment are a name like any other.
  const named = await handler({ ...event(), rawPath: `/api/v1/runs/${'a'.repeat(32)}/tags/...` }, context);
  expect(named.statusCode).not.toBe(400);
});
