import { describe, expect, test } from 'vitest';
import type { RouteDefinition } from '../../shared/http/route-definition.ts';
import { routeList } from '../../shared/http/route-table.ts';
import { apiClient } from '../support/local-api.ts';
import { useRouteFixture } from '../support/registry-fixture.ts';
import { exampleRequest } from '../support/route-requests.ts';

/**
 * The MLflow dialect refuses a field in MLflow's server's words, which scripts
 * and tests written against MLflow look for: "Missing value for required
 * parameter 'run_id'." and "Invalid value 31 for parameter 'key' supplied: ...".
 * Generated over every MLflow route of the route table: each top-level field of
 * its example request is left out, then sent with the wrong JSON type. A refusal
 * of the edge's own form (`body.key: ...`) fails; one in MLflow's form must name
 * the field that was changed. A string field gets the number `9.0`, which MLflow's
 * server quotes as sent (JSON.parse alone would make it 9).
 */
const local = useRouteFixture('messages');

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The JSON text of a value of another JSON type than `value`, which MLflow's message quotes as it is. */
const wrongType = (value: unknown): string => (typeof value === 'string' ? '9.0' : '"foo"');

/** `body` as JSON with the text `raw` as the value of `name` (a number's spelling JSON.stringify would not keep). */
const withRawField = (body: Record<string, unknown>, name: string, raw: string) => {
  const marker = `raw-${Math.random()}`;
  return JSON.stringify({ ...body, [name]: marker }).replace(JSON.stringify(marker), raw);
};

async function send(route: RouteDefinition, path: string, body: unknown) {
  const { stack } = local;
  const response = await fetch(`${stack.url}${path}`, {
    method: route.method,
    redirect: 'manual',
    headers: { authorization: `Bearer ${stack.token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, message: response.status === 400 ? (JSON.parse(text).message as string) : '' };
}

/** What is wrong with a refusal of `field` (or undefined): the edge's own wording, or MLflow's naming another field. */
function problemWith(answer: { status: number; message: string }, field: string, expected: RegExp) {
  if (answer.status !== 400) return undefined;
  if (/^(body|query|path)[.[]/.test(answer.message)) return `the edge's own wording: ${answer.message}`;
  // A field left out, in Stratus's words ("run_id: is required") rather than MLflow's.
  if (new RegExp(`^${escaped(field)}: .*\\brequired\\b`).test(answer.message)) {
    return `Stratus's words for a missing field: ${answer.message}`;
  }
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
    const example = exampleRequest(route, local.fixture);
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
        const quoted = wrongType(value);
        const invalid = await send(route, example.path, withRawField(example.body, name, quoted));
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
  const { stack, fixture } = local;
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

test('a number sent for a string field is quoted as the client wrote it, at any depth', async () => {
  const { stack, fixture } = local;
  const post = async (path: string, text: string) => {
    const response = await fetch(`${stack.url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${stack.token}`, 'content-type': 'application/json' },
      body: text,
    });
    return { status: response.status, body: (await response.json()) as { message: string } };
  };
  // MLflow's test_create_experiment_validation, as it sends it.
  const experiment = await post(
    '/api/2.0/mlflow/experiments/create',
    '{"name": "experiment name", "artifact_location": 9.0, "tags": [{"key": "key", "value": "value"}]}',
  );
  expect(experiment.status).toBe(400);
  expect(experiment.body.message).toMatch(/^Invalid value 9\.0 for parameter 'artifact_location' supplied: /);
  const run = JSON.stringify(fixture.runId);
  const cases: Array<[string, string, string]> = [
    // Nested, and with the spellings JSON.parse changes: a decimal point, an exponent, a negative zero.
    [
      `{"run_id": ${run}, "params": [{"key": "a", "value": "1"}, {"key": "b", "value": 1E+2}]}`,
      '1E+2',
      'params[1].value',
    ],
    [`{"run_id": ${run}, "tags": [{"key": "t", "value": -0.0}]}`, '-0.0', 'tags[0].value'],
    // A duplicate key counts as JSON.parse counts it: the last one. Brackets and quotes in strings are text.
    [`{"run_id": ${run}, "tags": [{"key": "t]\\"},{", "value": "x", "value" :\n 7.50}]}`, '7.50', 'tags[0].value'],
  ];
  for (const [text, quoted, field] of cases) {
    const answer = await post('/api/2.0/mlflow/runs/log-batch', text);
    expect(answer.status, text).toBe(400);
    expect(answer.body.message, text).toMatch(
      new RegExp(`^Invalid value ${escaped(quoted)} for parameter '${escaped(field)}' supplied: `),
    );
  }
  // A number's text past the quoted length is cut as other values are.
  const long = await post(
    '/api/2.0/mlflow/runs/set-tag',
    `{"run_id": ${run}, "key": "k", "value": 1.${'0'.repeat(5000)}}`,
  );
  expect(long.status).toBe(400);
  expect(long.body.message).toMatch(/^Invalid value 1\.0{198}\.\.\. for parameter 'value' supplied: /);
});
