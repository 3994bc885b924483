import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import * as z from 'zod/mini';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { NotFoundError } from '../../shared/errors.ts';
import { createHandler } from '../../shared/http/handler.ts';
import { configureRequestLog } from '../../shared/http/request-log.ts';
import { defineRoute } from '../../shared/http/route-definition.ts';
import { addMetric } from '../../shared/observability/metrics.ts';
import { recordConsumedCapacity } from '../../shared/storage/capacity.ts';

const route = defineRoute({
  operationId: 'logThings',
  method: 'POST',
  path: '/api/v1/things/{id}',
  entry: 'lambdas/example.ts',
  summary: 'Example',
  tag: 'example',
  access: 'write',
  request: { path: z.object({ id: z.string() }), body: z.object({ count: z.number() }) },
  response: { status: 200, description: 'Done', body: z.object({}) },
  table: { actions: ['GetItem'] },
});

const secret = 'stratus_0123456789abcdef_s3cr3t';
const writer = () => ({
  authenticate: async () => ({ workspaceId: 'team-a', scope: 'write' as const, tokenId: '0123456789abcdef' }),
});
const event = (id: string, body: unknown): APIGatewayProxyEventV2 =>
  ({
    version: '2.0',
    routeKey: `${route.method} ${route.path}`,
    headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
    pathParameters: { id },
    requestContext: { requestId: 'r' },
    body: JSON.stringify(body),
    isBase64Encoded: false,
  }) as unknown as APIGatewayProxyEventV2;
const context = (requestId: string) => ({ awsRequestId: requestId, getRemainingTimeInMillis: () => 10_000 }) as Context;

const handler = createHandler(
  route,
  async ({ path, body }) => {
    recordConsumedCapacity('read', { CapacityUnits: 0.5 });
    if (path.id === 'missing') throw new NotFoundError('thing', path.id);
    if (path.id === 'broken') throw new Error('disk on fire');
    // Let concurrent requests interleave: each must keep its own figures.
    await new Promise((resolve) => setTimeout(resolve, 5));
    addMetric('PointsIngested', body.count);
    addMetric('Searches', 1, ['SearchPlan', 'stream']);
    recordConsumedCapacity('write', { CapacityUnits: body.count / 100 });
    return { body: {} };
  },
  { authenticator: writer },
);

const lines: Record<string, any>[] = [];
beforeAll(() => configureRequestLog('Stratus/Test', (line) => lines.push(JSON.parse(line))));
afterAll(() => configureRequestLog(undefined));
const lineFor = (requestId: string) => lines.find((line) => line.requestId === requestId)!;

/** The rules CloudWatch applies to an embedded-metric-format document. */
function expectValidEmf(document: Record<string, any>) {
  expect(Number.isInteger(document._aws.Timestamp)).toBe(true);
  for (const directive of document._aws.CloudWatchMetrics) {
    expect(directive.Namespace).toBe('Stratus/Test');
    expect(directive.Metrics.length).toBeLessThanOrEqual(100);
    for (const dimensions of directive.Dimensions) {
      expect(dimensions.length).toBeLessThanOrEqual(30);
      for (const name of dimensions) expect(typeof document[name], name).toBe('string');
    }
    for (const metric of directive.Metrics) {
      expect(typeof document[metric.Name], metric.Name).toBe('number');
      expect(['Count', 'Bytes', 'Milliseconds']).toContain(metric.Unit);
    }
  }
}

test('a request writes one line: who, what, how it went, what it cost, and its metrics', async () => {
  await Promise.all([
    handler(event('a', { count: 300 }), context('req-a')),
    handler(event('b', { count: 7 }), context('req-b')),
  ]);
  const a = lineFor('req-a');
  expect(a).toMatchObject({
    level: 'info',
    message: 'request',
    route: 'POST /api/v1/things/{id}',
    operation: 'logThings',
    workspace: 'team-a',
    status: 200,
    readUnits: 0.5,
    writeUnits: 3,
    PointsIngested: 300,
    Searches: 1,
    SearchPlan: 'stream',
  });
  expect(typeof a.latencyMs).toBe('number');
  expect(lineFor('req-b')).toMatchObject({ PointsIngested: 7, writeUnits: 0.07 });
  expectValidEmf(a);
  const metricNames = a._aws.CloudWatchMetrics.flatMap((directive: any) => directive.Metrics.map((m: any) => m.Name));
  expect(metricNames.sort()).toEqual(['PointsIngested', 'ReadUnits', 'Searches', 'WriteUnits']);
  const byMetric = Object.fromEntries(
    a._aws.CloudWatchMetrics.flatMap((directive: any) =>
      directive.Metrics.map((m: any) => [m.Name, directive.Dimensions]),
    ),
  );
  expect(byMetric).toEqual({
    ReadUnits: [['Operation']],
    WriteUnits: [['Operation']],
    PointsIngested: [[]],
    Searches: [['SearchPlan']],
  });
});

test('failures are counted by code and by class, 5xx logged as errors', async () => {
  await handler(event('missing', { count: 1 }), context('req-404'));
  await handler(event('broken', { count: 1 }), context('req-500'));
  await handler(event('x', { count: 'many' }), context('req-400'));
  expect(lineFor('req-404')).toMatchObject({
    status: 404,
    errorCode: 'thing.not_found',
    StatusClass: '4xx',
    Errors: 1,
  });
  expect(lineFor('req-400')).toMatchObject({ status: 400, errorCode: 'body.invalid', ErrorCode: 'body.invalid' });
  expect(lineFor('req-500')).toMatchObject({ level: 'error', status: 500, errorCode: 'internal', StatusClass: '5xx' });
  // Capacity spent before the failure still counts.
  expect(lineFor('req-404').readUnits).toBe(0.5);
  for (const id of ['req-404', 'req-500', 'req-400']) expectValidEmf(lineFor(id));
});

test('nothing from the request itself is written: no token, no body, no path value', () => {
  const written = JSON.stringify(lines);
  expect(written).not.toContain(secret);
  expect(written).not.toContain('s3cr3t');
  expect(written).not.toContain('many');
  expect(written).not.toContain('disk on fire');
});
