import { describe, expect, test } from 'vitest';
import type * as z from 'zod/mini';
import { openApiDocument, openApiPath } from '../../shared/http/openapi.ts';
import { errorResponse, mlflowErrorResponse } from '../../shared/http/schemas/errors.ts';
import type { RouteDefinition } from '../../shared/http/route-definition.ts';
import { routeList } from '../../shared/http/route-table.ts';
import { useRouteFixture } from '../support/registry-fixture.ts';
import { exampleRequest } from '../support/route-requests.ts';

/**
 * One field at a time: every query parameter the OpenAPI description lists and
 * every field of a route's example body (top level, and one level into its
 * objects and arrays of objects), on every route of the route table, is sent with unlucky values (far past any length bound, astral
 * characters, a lone surrogate, empty, wrong JSON types, huge and fractional
 * numbers) while the rest of the request stays valid. Whatever the route makes
 * of it, the answer is below 500, has a status and body its OpenAPI entry
 * documents, is well-formed JSON (no lone surrogate in a
 * message that quotes the input), and a refusal that names a field names the
 * one sent. Values that end up in DynamoDB keys (over 1,024 or 2,048
 * bytes there) or in messages are where this class of defect lives.
 */
const local = useRouteFixture('fields');

const long = (unit: string, bytes: number) => unit.repeat(Math.ceil(bytes / Buffer.byteLength(unit)));

/** Values for a query parameter, already percent-encoded (a lone surrogate has no UTF-8: its CESU bytes). */
const queryValues: Array<[string, string]> = [
  ['3,000 letters', long('a', 3000)],
  ['3,000 zeros', long('0', 3000)],
  ['astral characters', encodeURIComponent(long('🙂', 2400))],
  // Few characters, many bytes: a bound counted in characters lets these past DynamoDB's key limits.
  ['1,000 bytes in 250 astral characters', encodeURIComponent('🙂'.repeat(250))],
  ['2,048 bytes in 512 astral characters', encodeURIComponent('🙂'.repeat(512))],
  ['2,000 bytes in 1,000 accented letters', encodeURIComponent('é'.repeat(1000))],
  ['a lone surrogate', '%ED%A0%80'],
  ['empty', ''],
  ['negative', '-1'],
  ['past float range', '1e400'],
  ['fractional', '1.5'],
];

/** Values for a body field. */
const bodyValues: Array<[string, unknown]> = [
  ['3,000 letters', long('a', 3000)],
  ['3,000 zeros', long('0', 3000)],
  ['astral characters', long('🙂', 2400)],
  ['1,000 bytes in 250 astral characters', '🙂'.repeat(250)],
  ['2,048 bytes in 512 astral characters', '🙂'.repeat(512)],
  ['2,000 bytes in 1,000 accented letters', 'é'.repeat(1000)],
  ['a lone surrogate', '\ud800'],
  ['empty', ''],
  ['null', null],
  ['true', true],
  ['an object', { a: 1 }],
  ['an array', ['x']],
  ['negative', -1],
  ['fractional', 1.5],
  ['huge', 1e300],
];

const document = openApiDocument();
type Operation = { parameters: Array<{ name: string; in: string }>; responses: Record<string, unknown> };
const operationOf = (route: RouteDefinition) =>
  (document.paths[openApiPath(route.path)] as Record<string, Operation>)[route.method.toLowerCase()] as Operation;
const queryNames = (route: RouteDefinition) =>
  operationOf(route)
    .parameters.filter((parameter) => parameter.in === 'query')
    .map((parameter) => parameter.name);

/** The error schemas the OpenAPI document names, by reference. */
const errorSchemas = new Map<string, z.ZodMiniType>([
  ['#/components/schemas/Error', errorResponse],
  ['#/components/schemas/MlflowError', mlflowErrorResponse],
]);

/**
 * Where the answer disagrees with the route's OpenAPI entry: a status it does not
 * list, or a body that its schema (the zod schema the entry is generated from) refuses.
 */
function undocumented(route: RouteDefinition, status: number, body: unknown): string | undefined {
  const responses = operationOf(route).responses;
  if (!Object.hasOwn(responses, String(status))) return `an undocumented status ${status}`;
  const documented = responses[String(status)] as { content?: Record<string, { schema: { $ref?: string } }> };
  const reference = documented.content?.['application/json']?.schema.$ref;
  const schema =
    status === route.response.status || status === route.response.also?.status
      ? route.response.body
      : reference
        ? errorSchemas.get(reference)
        : undefined;
  if (documented.content && body !== undefined && !schema) return `no schema for status ${status} (${reference})`;
  const parsed = schema?.safeParse(body);
  return parsed && !parsed.success
    ? `a body its OpenAPI schema refuses (${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message})`
    : undefined;
}

/** Every string in a JSON value is well-formed Unicode. */
const wellFormed = (value: unknown): boolean =>
  typeof value === 'string'
    ? value.isWellFormed()
    : typeof value === 'object' && value !== null
      ? Object.entries(value).every(([key, item]) => key.isWellFormed() && wellFormed(item))
      : true;

/** A refusal as invalid input (not a conflict such as a name already taken), in either dialect. */
const isInvalidInput = (code: string | undefined) =>
  code === 'INVALID_PARAMETER_VALUE' || (code !== undefined && /\.invalid$/.test(code));

/**
 * The field a refusal names: the one it starts with (`body.tags.k: ...`, `query.max_results: ...`, `run_ids: ...`),
 * or the parameter of MLflow's wording (`Invalid value 31 for parameter 'key' supplied: ...`), if any.
 */
const fieldNamed = (message: string) =>
  /^(?:Missing|Invalid) value .*?parameter '([^']*)'/s.exec(message)?.[1] ?? /^([\w.[\]-]+): /.exec(message)?.[1];

async function send(route: RouteDefinition, path: string, body: unknown) {
  const { stack } = local;
  const response = await fetch(`${stack.url}${path}`, {
    method: route.method,
    redirect: 'manual',
    headers: { authorization: `Bearer ${stack.token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, text };
}

/** What is wrong with the answer, if anything. */
function problemWith(
  route: RouteDefinition,
  field: string,
  answer: { status: number; text: string },
  refusedByExample?: string,
) {
  if (answer.status >= 500) return 'a 5xx';
  if (answer.text === '') return undocumented(route, answer.status, undefined);
  const parsed = JSON.parse(answer.text);
  if (!wellFormed(parsed)) return 'a lone surrogate in the answer';
  const disagreement = undocumented(route, answer.status, parsed);
  if (disagreement) return disagreement;
  if (answer.status !== 400 || !isInvalidInput(route.dialect === 'mlflow' ? parsed.error_code : parsed.error?.code)) {
    return undefined;
  }
  const named = fieldNamed(route.dialect === 'mlflow' ? parsed.message : parsed.error.message);
  // The example itself may be refused for a field (an upload id that is not open): that one is expected.
  if (named === undefined || field === '' || named === refusedByExample) return undefined;
  return named.split(/[.[]/).includes(field) ? undefined : 'a refusal that names another field';
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The fields of an example body to replace one at a time: each top-level field,
 * and each field of an object inside it (`tags.k`) or of the first object of an
 * array inside it (`metrics[0].value`), with a function that builds the body with
 * that one field replaced.
 */
function bodyFields(body: unknown) {
  if (!isObject(body)) return [];
  const fields: Array<{ path: string; field: string; replaced: (value: unknown) => unknown }> = [];
  for (const [name, inner] of Object.entries(body)) {
    fields.push({ path: name, field: name, replaced: (value) => ({ ...body, [name]: value }) });
    const first = Array.isArray(inner) ? inner[0] : inner;
    if (!isObject(first)) continue;
    for (const key of Object.keys(first)) {
      const nested = (value: unknown) => ({ ...first, [key]: value });
      fields.push(
        Array.isArray(inner)
          ? {
              path: `${name}[0].${key}`,
              field: key,
              replaced: (value) => ({ ...body, [name]: [nested(value), ...inner.slice(1)] }),
            }
          : { path: `${name}.${key}`, field: key, replaced: (value) => ({ ...body, [name]: nested(value) }) },
      );
    }
  }
  return fields;
}

// Destructive routes last, so that a value they accept cannot take the fixture away from the others.
const destructive = (route: RouteDefinition) => route.method === 'DELETE' || /delete|purge/i.test(route.operationId);
const ordered = [...routeList.filter((route) => !destructive(route)), ...routeList.filter(destructive)];

describe.each(ordered.map((route) => [`${route.method} ${route.path}`, route] as const))('%s', (_, route) => {
  test('each field with unlucky values: never a 5xx, well-formed JSON, a refusal names the field', async () => {
    const problems: string[] = [];
    const example = exampleRequest(route, local.fixture);
    const answer = await send(route, example.path, example.body);
    const exampleProblem = problemWith(route, '', answer);
    if (exampleProblem)
      problems.push(`the example request: ${exampleProblem}: ${answer.status} ${answer.text.slice(0, 240)}`);
    const refused = answer.status === 400 ? JSON.parse(answer.text) : undefined;
    const refusedByExample = refused && fieldNamed(refused.message ?? refused.error?.message);
    const check = (label: string, field: string, answer: { status: number; text: string }) => {
      const problem = problemWith(route, field, answer, refusedByExample);
      if (problem) problems.push(`${label}: ${problem}: ${answer.status} ${answer.text.slice(0, 240)}`);
    };
    const [basePath, baseQuery = ''] = example.path.split('?') as [string, string?];
    const query = new URLSearchParams(baseQuery);
    for (const name of queryNames(route)) {
      for (const [label, value] of queryValues) {
        const others = new URLSearchParams(query);
        others.delete(name);
        const search = [others.toString(), `${encodeURIComponent(name)}=${value}`].filter(Boolean).join('&');
        check(`query ${name} ${label}`, name, await send(route, `${basePath}?${search}`, example.body));
      }
    }
    if (isObject(example.body)) {
      // A field the route does not know (a typo): accepted (MLflow ignores unknown fields) or named.
      const typo = { ...example.body, experimnet_nmae: 'x' };
      check('an unknown body field', 'experimnet_nmae', await send(route, example.path, typo));
    }
    for (const { path, field, replaced } of bodyFields(example.body)) {
      for (const [label, value] of bodyValues) {
        check(`body ${path} ${label}`, field, await send(route, example.path, replaced(value)));
      }
    }
    expect(problems).toEqual([]);
  }, 60_000);
});
