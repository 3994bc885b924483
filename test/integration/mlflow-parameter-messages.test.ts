import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { RouteDefinition } from '../../shared/http/route-definition.ts';
import { routeList } from '../../shared/http/route-table.ts';
import { apiClient, startTestStack, type TestStack } from '../support/local-api.ts';
import { createRouteFixture } from '../support/registry-fixture.ts';
import { exampleRequest, type RouteFixture } from '../support/route-requests.ts';

/**
 * The MLflow dialect refuses a field in MLflow's server's words, which scripts
 * and tests written against MLflow look for: "Missing value for required
 * parameter 'run_id'." and "Invalid value 31 for parameter 'key' supplied: ...".
 * Generated over every MLflow route of the route table: each top-level field of
 * its example request is left out, then sent with the wrong JSON type. A refusal
 * of the edge's own form (`body.key: ...`) fails; one in MLflow's form must name
 * the field that was changed.
 */
let stack: TestStack;
let fixture: RouteFixture;

beforeAll(async () => {
  stack = await startTestStack();
  const api = apiClient(stack.url, stack.token);
  fixture = await createRouteFixture(api, 'messages');
}, 120_000);
afterAll(() => stack?.stop());

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A value of another JSON type than `value`, and how MLflow's message quotes it. */
const wrongType = (value: unknown): [unknown, string] => (typeof value === 'string' ? [31, '31'] : ['foo', '"foo"']);

async function send(route: RouteDefinition, path: string, body: unknown) {
  const response = await fetch(`${stack.url}${path}`, {
    method: route.method,
    redirect: 'manual',
    headers: { authorization: `Bearer ${stack.token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, message: response.status === 400 ? (JSON.parse(text).message as string) : '' };
}

/** What is wrong with a refusal of `field` (or undefined): the edge's own wording, or MLflow's naming another field. */
function problemWith(answer: { status: number; message: string }, field: string, expected: RegExp) {
  if (answer.status !== 400) return undefined;
  if (/^(body|query|path)[.[]/.test(answer.message)) return `the edge's own wording: ${answer.message}`;
  if (!/^(Missing|Invalid) value /.test(answer.message)) return undefined; // a rule of the operation, not the edge's
  const named = /parameter '([^']*)'/.exec(answer.message)?.[1] ?? '';
  if (!named.split(/[.[]/).includes(field)) return `names another field: ${answer.message}`;
  return expected.test(answer.message) ? undefined : `not MLflow's words (${expected}): ${answer.message}`;
}

const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

// Destructive routes last, so that a request they accept cannot take the fixture away from the others.
const destructive = (route: RouteDefinition) => route.method === 'DELETE' || /delete|purge/i.test(route.operationId);
const mlflowRoutes = routeList.filter((route) => route.dialect === 'mlflow');
const ordered = [...mlflowRoutes.filter((route) => !destructive(route)), ...mlflowRoutes.filter(destructive)];

test('the MLflow dialect has routes with bodies and with queries to check', () => {
  expect(ordered.filter((route) => route.request.body).length).toBeGreaterThan(20);
  expect(ordered.filter((route) => route.method === 'GET' && route.request.query).length).toBeGreaterThan(10);
});

describe.each(ordered.map((route) => [`${route.method} ${route.path}`, route] as const))('%s', (_, route) => {
  test("a field left out or of the wrong type is refused in MLflow's words, naming it", async () => {
    const problems: string[] = [];
    const example = exampleRequest(route, fixture);
    const [basePath, baseQuery = ''] = example.path.split('?') as [string, string?];
    const query = new URLSearchParams(baseQuery);
    for (const name of [...new Set(query.keys())]) {
      const without = new URLSearchParams(query);
      without.delete(name);
      const missing = await send(route, `${basePath}?${without}`, example.body);
      const problem = problemWith(missing, name, new RegExp(`^Missing value for required parameter '${name}'\\.$`));
      if (problem) problems.push(`query ${name} left out: ${problem}`);
    }
    if (isObject(example.body)) {
      for (const [name, value] of Object.entries(example.body)) {
        const { [name]: _left, ...without } = example.body;
        const missing = await send(route, example.path, without);
        const missingProblem = problemWith(
          missing,
          name,
          new RegExp(`^Missing value for required parameter '${escaped(name)}[^']*'\\.$`),
        );
        if (missingProblem) problems.push(`body ${name} left out: ${missingProblem}`);
        const [other, quoted] = wrongType(value);
        const invalid = await send(route, example.path, { ...example.body, [name]: other });
        const invalidProblem = problemWith(
          invalid,
          name,
          new RegExp(`^Invalid value ${escaped(quoted)} for parameter '${escaped(name)}' supplied: `),
        );
        if (invalidProblem) problems.push(`body ${name} as ${quoted}: ${invalidProblem}`);
      }
    }
    expect(problems).toEqual([]);
  }, 60_000);
});

test("a nested field is named as MLflow's server names it", async () => {
  const api = apiClient(stack.url, stack.token);
  const missing = await api.post('/api/2.0/mlflow/runs/log-batch', {
    run_id: fixture.runId,
    metrics: [{ value: 2.5, timestamp: 1 }],
  });
  expect(missing.status).toBe(400);
  expect(missing.body).toEqual({
    error_code: 'INVALID_PARAMETER_VALUE',
    message: "Missing value for required parameter 'metrics[0].key'.",
  });
  const invalid = await api.post('/api/2.0/mlflow/runs/log-batch', { run_id: fixture.runId, tags: 'foo' });
  expect(invalid.status).toBe(400);
  expect(invalid.body.message).toMatch(/^Invalid value "foo" for parameter 'tags' supplied: /);
  // The edge's own wording stays on /api/v1.
  const v1 = await api.post(`/api/v1/runs/${fixture.runId}/tags`, { tags: 'foo' });
  expect(v1.status).toBe(400);
  expect(v1.body.error.message).toMatch(/^body\.tags: /);
});
