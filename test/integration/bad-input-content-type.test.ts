import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { routeList } from '../../shared/http/route-table.ts';
import { apiClient, startTestStack, type TestStack } from '../support/local-api.ts';
import { errorCodeOf } from '../support/mlflow-requests.ts';
import { exampleRequest, type RouteFixture } from '../support/route-requests.ts';

/**
 * A request body is read as JSON only when it says it is JSON: every route of
 * the route table that takes a body answers 415 (the MLflow dialect: MLflow's
 * 400 INVALID_PARAMETER_VALUE) to a valid JSON body sent with no content type,
 * as text, a form, multipart, XML or another charset, naming `content-type`;
 * and reads the same body under each accepted spelling of `application/json`.
 */
let stack: TestStack;
let fixture: RouteFixture;

beforeAll(async () => {
  stack = await startTestStack();
  const api = apiClient(stack.url, stack.token);
  const run = await api.post('/api/v1/runs', { experiment_name: 'typed', run_name: 'r' });
  expect(run.status).toBe(201);
  fixture = {
    experimentId: run.body.experiment_id,
    experimentName: 'typed',
    runId: run.body.run_id,
    metricKey: 'acc',
    tokenId: '0123456789abcdef',
    artifactPath: 'typed/never.bin',
  };
});
afterAll(() => stack?.stop());

const refused: Array<string | undefined> = [
  undefined,
  '',
  'text/plain',
  'text/plain; charset=utf-8',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/xml',
  'text/json',
  'application/jsonp',
  'application/vnd.api+json',
  'application/json; charset=utf-16',
  'application/json; charset=latin1',
  'application/json; boundary=x',
];
const accepted = ['application/json', 'application/json; charset=utf-8', 'Application/JSON;Charset="UTF-8"'];

/** A request with exactly these headers: fetch adds no content type to a byte body. */
async function send(method: string, path: string, body: unknown, contentType: string | undefined) {
  const response = await fetch(`${stack.url}${path}`, {
    method,
    redirect: 'manual',
    headers: {
      authorization: `Bearer ${stack.token}`,
      ...(contentType === undefined ? {} : { 'content-type': contentType }),
    },
    body: new TextEncoder().encode(JSON.stringify(body)),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

const bodyRoutes = routeList.filter((route) => route.request.body !== undefined);

test('the generated rows cover both dialects', () => {
  expect(bodyRoutes.some((route) => route.dialect === 'mlflow')).toBe(true);
  expect(bodyRoutes.some((route) => route.dialect !== 'mlflow')).toBe(true);
});

describe.each(bodyRoutes.map((route) => [`${route.method} ${route.path}`, route] as const))('%s', (_, route) => {
  test('a body that is not declared JSON is refused, naming content-type', async () => {
    const { path, body } = exampleRequest(route, fixture);
    for (const contentType of refused) {
      const answer = await send(route.method, path, body, contentType);
      const label = `${String(contentType)}: ${answer.status} ${JSON.stringify(answer.body)}`;
      if (route.dialect === 'mlflow') {
        expect(answer.status, label).toBe(400);
        expect(errorCodeOf(route, answer.body), label).toBe('INVALID_PARAMETER_VALUE');
      } else {
        expect(answer.status, label).toBe(415);
        expect(errorCodeOf(route, answer.body), label).toBe('request.unsupported_media_type');
      }
      const message: string = answer.body.message ?? answer.body.error?.message;
      expect(message, label).toMatch(/^content-type: must be application\/json/);
    }
  });

  test('each spelling of application/json is read', async () => {
    for (const contentType of accepted) {
      const { path, body } = exampleRequest(route, fixture);
      const answer = await send(route.method, path, body, contentType);
      const label = `${contentType}: ${answer.status} ${JSON.stringify(answer.body)}`;
      expect(answer.status, label).not.toBe(415);
      expect(answer.status, label).toBeLessThan(500);
      // Whatever else the example may meet (a 404, a 409), it is not about the content type.
      const message: string = answer.body?.message ?? answer.body?.error?.message ?? '';
      expect(message, label).not.toMatch(/content-type/);
    }
  });
});
