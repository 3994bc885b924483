import { describe, expect, test } from 'vitest';
import { openApiDocument } from '../../shared/http/openapi.ts';
import { routeList } from '../../shared/http/route-table.ts';
import { useRouteFixture } from '../support/registry-fixture.ts';
import { exampleRequest } from '../support/route-requests.ts';

/**
 * Free-form JSON fields (a run's `pipeline.pipeline_config`, a model version's
 * `metadata`: every request field whose OpenAPI schema is an object of any
 * values) hold whatever a client nests in them, within documented bounds of
 * depth and size. Values far past those bounds, as a 1 MiB body allows (many
 * thousand levels deep, hundreds of thousands of elements wide), are a 400
 * naming the field, not the RangeError of a recursive walk (a 500); a value at
 * the bounds is taken. The fields are found in the description, so a new one is
 * covered without a change here.
 */
const local = useRouteFixture('json');

type Schema = Record<string, unknown>;

/** Paths (property names) to free-form objects inside a request body schema. */
function freeFormPaths(schema: Schema, path: string[] = []): string[][] {
  const found: string[][] = [];
  if (schema.type === 'object' && typeof schema.additionalProperties === 'object') {
    if (Object.keys(schema.additionalProperties as object).length === 0) found.push(path);
  }
  for (const [name, property] of Object.entries((schema.properties ?? {}) as Record<string, Schema>)) {
    found.push(...freeFormPaths(property, [...path, name]));
  }
  for (const key of ['anyOf', 'oneOf', 'allOf']) {
    for (const branch of (schema[key] ?? []) as Schema[]) found.push(...freeFormPaths(branch, path));
  }
  return found;
}

const document = openApiDocument();
const cases = routeList.flatMap((route) => {
  const operation = (document.paths[route.path.replace(/\{(\w+)\+\}/g, '{$1}')] as Record<string, any>)[
    route.method.toLowerCase()
  ];
  const schema = operation.requestBody?.content['application/json']?.schema as Schema | undefined;
  return schema
    ? freeFormPaths(schema).map((path) => [`${route.method} ${route.path} ${path.join('.')}`, route, path] as const)
    : [];
});

/** `levels` objects, each inside the one before, as JSON text (too deep for JSON.stringify). */
const nested = (levels: number) => `${'{"a":'.repeat(levels - 1)}{"leaf":1}${'}'.repeat(levels - 1)}`;

/** The example body with `valueText` (JSON) at `path`. */
const withValue = (body: unknown, path: readonly string[], valueText: string) => {
  const placeholder = 'free-form value goes here';
  const copy = structuredClone(body ?? {}) as Record<string, unknown>;
  let node = copy;
  for (const name of path.slice(0, -1)) node = (node[name] ??= {}) as Record<string, unknown>;
  node[path[path.length - 1] as string] = placeholder;
  return JSON.stringify(copy).replace(JSON.stringify(placeholder), valueText);
};

test('the description has free-form fields to check', () => {
  expect(cases.length).toBeGreaterThanOrEqual(3);
});

describe.each(cases)('%s', (_, route, path) => {
  const send = async (valueText: string) => {
    const example = exampleRequest(route, local.fixture);
    const response = await fetch(`${local.stack.url}${example.path}`, {
      method: route.method,
      headers: { authorization: `Bearer ${local.stack.token}`, 'content-type': 'application/json' },
      body: withValue(example.body, path, valueText),
    });
    return {
      status: response.status,
      body: (await response.json()) as { error?: { message: string }; message?: string },
    };
  };
  const field = `body.${path.join('.')}`;

  test.each([
    ['6,000 levels deep', nested(6000)],
    ['100,000 levels deep', nested(100_000)],
    ['17 levels deep', nested(17)],
    ['a 200,000-element array', JSON.stringify({ values: new Array(200_000).fill(0) })],
    ['20 KiB of text', JSON.stringify({ text: 'é'.repeat(10 * 1024) })],
  ])('%s: a 400 naming the field', async (_label, value) => {
    const answer = await send(value);
    expect(answer.status).toBe(400);
    const message = answer.body.error?.message ?? answer.body.message;
    expect(message).toMatch(new RegExp(`^${field.replaceAll('.', '\\.')}: must (nest|serialise)`));
  });

  test('16 levels deep and a 1,000-element array: taken', async () => {
    expect((await send(nested(16))).status).toBeLessThan(300);
    expect((await send(JSON.stringify({ values: new Array(1000).fill(0) }))).status).toBeLessThan(300);
  });
});

/**
 * Every field of every request body, in both dialects: a value nested far past anything a schema takes
 * is a 4xx, never a 500. MLflow's refusal quotes the value it refuses ("Invalid value ... for parameter"),
 * and quoting one 100,000 levels deep once overflowed the stack.
 */
const bodyFields = routeList.flatMap((route) => {
  const operation = (document.paths[route.path.replace(/\{(\w+)\+\}/g, '{$1}')] as Record<string, any>)[
    route.method.toLowerCase()
  ];
  const schema = operation.requestBody?.content['application/json']?.schema as Schema | undefined;
  return Object.keys((schema?.properties ?? {}) as Schema).map(
    (name) => [`${route.method} ${route.path} ${name}`, route, name] as const,
  );
});

test('the description has body fields to check', () => {
  expect(bodyFields.length).toBeGreaterThan(100);
});

describe('a value 100,000 levels deep in any body field', () => {
  const deep = nested(100_000);
  test.each(bodyFields)('%s: a 4xx', async (_, route, name) => {
    const example = exampleRequest(route, local.fixture);
    const response = await fetch(`${local.stack.url}${example.path}`, {
      method: route.method,
      headers: { authorization: `Bearer ${local.stack.token}`, 'content-type': 'application/json' },
      body: withValue(example.body, [name], deep),
    });
    const text = await response.text();
    expect(response.status, text.slice(0, 300)).toBeGreaterThanOrEqual(400);
    expect(response.status, text.slice(0, 300)).toBeLessThan(500);
  });
});
