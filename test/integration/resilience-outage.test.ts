import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import type { RouteDefinition } from '../../shared/http/route-definition.ts';
import { routeList } from '../../shared/http/route-table.ts';
import { type FaultMode, type FaultProxy, startFaultProxy } from '../support/fault-proxy.ts';
import { type ApiResponse, apiClient, startTestStack, type TestStack } from '../support/local-api.ts';
import { exampleRequest, type RouteFixture } from '../support/route-requests.ts';

/**
 * What every route answers while DynamoDB or S3 cannot serve: a 503
 * `service.unavailable` with Retry-After (which the SDKs honour), never a 500,
 * for each way an AWS service fails (dead, dropping connections, silent,
 * answering 5xx, throttling). The stack reaches the shared servers through
 * fault proxies, which the tests switch between passing bytes and failing.
 */
const MiB = 1024 * 1024;
let stack: TestStack;
let dynamoDb: FaultProxy;
let s3: FaultProxy;
let fixture: RouteFixture;
/** The open multipart upload of multi.bin. */
let multipartUploadId: string;
/** Admin token never used before the outage, so it is not in the token cache. */
let coldToken: string;

// Routes that read no table item after the token check (which the token cache answers).
const servedWithoutTable = new Set(['getOpenApi', 'mlflowGetServerInfo']);
// Routes whose handler calls S3 with the fixture below (presigning alone does not call S3).
const callsS3 = new Set([
  'createArtifactUpload',
  'completeArtifactUpload',
  'abortArtifactUpload',
  'mlflowCreateMultipartUpload',
]);
/** Routes that call S3 only in some states (a redirected PUT deletes bytes a pending plan of its path left). */
const mayCallS3 = new Set(['mlflowUploadArtifact']);
const faults: FaultMode[] = ['refuse', 'reset', 'hang', 'http500', 'throttle'];

beforeAll(async () => {
  dynamoDb = await startFaultProxy(inject('dynamoDbEndpoint'), 'dynamodb');
  s3 = await startFaultProxy(inject('s3').endpoint, 's3');
  stack = await startTestStack({
    dynamoDbEndpoint: dynamoDb.endpoint,
    s3: { endpoint: s3.endpoint, credentials: inject('s3').credentials },
    authCacheSeconds: 300,
    // A silent service is detected after this long per attempt (shorter than the local default).
    awsAttemptTimeoutMs: 2500,
    multipartThresholdBytes: 5 * MiB,
    partSizeBytes: 5 * MiB,
  });
  const api = apiClient(stack.url, stack.token);
  const run = await api.post('/api/v1/runs', { experiment_name: 'outage', run_name: 'r' });
  await api.post(`/api/v1/runs/${run.body.run_id}/metrics`, { metrics: [{ key: 'loss', value: 1, step: 1 }] });
  const single = await api.post(`/api/v1/runs/${run.body.run_id}/artifacts`, {
    path: 'single.bin',
    artifact_type: 'other',
    size_bytes: 1,
  });
  const multipart = await api.post(`/api/v1/runs/${run.body.run_id}/artifacts`, {
    path: 'multi.bin',
    artifact_type: 'other',
    size_bytes: 6 * MiB,
  });
  expect([single.status, multipart.status]).toEqual([201, 201]);
  multipartUploadId = multipart.body.upload.upload_id;
  const token = await api.post('/api/v1/admin/tokens', { scope: 'operator', name: 'cold' });
  coldToken = token.body.token;
  fixture = {
    experimentId: run.body.experiment_id,
    experimentName: 'outage',
    runId: run.body.run_id,
    metricKey: 'loss',
    tokenId: token.body.token_id,
    artifactPath: 'single.bin',
  };
  // Load every handler module and warm the token cache; invalid bodies change nothing.
  for (const route of routeList) {
    const { path } = exampleRequest(route, fixture);
    const response = await api.call(route.method, path, route.request.body ? [] : undefined);
    expect(response.status, `${route.operationId} while warming up`).toBeLessThan(500);
  }
});

afterAll(async () => {
  await stack?.stop();
  await Promise.all([dynamoDb?.close(), s3?.close()]);
});

function send(route: RouteDefinition, token: string, overrides: Partial<RouteFixture> = {}): Promise<ApiResponse> {
  const { path, body } = exampleRequest(route, { ...fixture, ...overrides });
  return apiClient(stack.url, token).call(route.method, path, body);
}

function expectUnavailable(response: ApiResponse, label: string, route?: RouteDefinition) {
  expect(response.status, `${label}: ${JSON.stringify(response.body)}`).toBe(503);
  const mlflow = route?.dialect === 'mlflow';
  expect(mlflow ? response.body.error_code : response.body.error.code, label).toBe(
    mlflow ? 'TEMPORARILY_UNAVAILABLE' : 'service.unavailable',
  );
  expect(Number(response.headers.get('retry-after')), label).toBeGreaterThanOrEqual(1);
}

describe.each(faults)('DynamoDB fault: %s', (fault) => {
  test('every route answers 503 with Retry-After, and serves again once DynamoDB is back', async () => {
    await dynamoDb.setMode(fault);
    try {
      const answers = await Promise.all(
        routeList.map(async (route) => [route, await send(route, stack.token)] as const),
      );
      for (const [route, response] of answers) {
        if (servedWithoutTable.has(route.operationId)) expect(response.status, route.operationId).toBe(200);
        else expectUnavailable(response, `${route.method} ${route.path}`, route);
      }
    } finally {
      await dynamoDb.setMode('pass');
    }
    const run = await apiClient(stack.url, stack.token).get(`/api/v1/runs/${fixture.runId}`);
    expect(run.status).toBe(200);
  });
});

test('a token the cache has not seen gets 503, not 401, on every route while DynamoDB is down', async () => {
  await dynamoDb.setMode('refuse');
  try {
    const answers = await Promise.all(routeList.map(async (route) => [route, await send(route, coldToken)] as const));
    for (const [route, response] of answers) expectUnavailable(response, `${route.method} ${route.path}`, route);
    // A malformed token needs no lookup: still a 401.
    const anonymous = await apiClient(stack.url, 'nonsense').get('/api/v1/experiments');
    expect(anonymous.status).toBe(401);
  } finally {
    await dynamoDb.setMode('pass');
  }
});

describe.each(faults)('S3 fault: %s', (fault) => {
  test('every artifact route answers 503 with Retry-After or does without S3, never a 5xx else', async () => {
    const bucketRoutes = routeList.filter((route) => route.bucket);
    expect(bucketRoutes.filter((route) => callsS3.has(route.operationId))).toHaveLength(callsS3.size);
    await s3.setMode(fault);
    try {
      const answers = await Promise.all(
        bucketRoutes.map(async (route) => {
          // abort needs the open multipart upload; create plans a multipart upload, which calls S3.
          const overrides =
            route.operationId === 'abortArtifactUpload'
              ? { artifactPath: 'multi.bin', uploadId: multipartUploadId }
              : { uploadSizeBytes: 6 * MiB };
          return [route, await send(route, stack.token, overrides)] as const;
        }),
      );
      for (const [route, response] of answers) {
        const label = `${route.method} ${route.path}`;
        if (callsS3.has(route.operationId)) expectUnavailable(response, label, route);
        else if (mayCallS3.has(route.operationId) && response.status === 503) expectUnavailable(response, label, route);
        else expect(response.status, `${label}: ${JSON.stringify(response.body)}`).toBeLessThan(500);
      }
    } finally {
      await s3.setMode('pass');
    }
  });
});
