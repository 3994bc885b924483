import * as z from 'zod/mini';
import { limits } from '../limits.ts';
import type { RouteDefinition } from './route-definition.ts';
import { routeList } from './route-table.ts';
import { dialectOf, routePaths } from './route-definition.ts';
import { errorResponse, mlflowErrorResponse } from './schemas/errors.ts';

type JsonSchema = Record<string, unknown>;

const toJsonSchema = (schema: z.ZodMiniType, io: 'input' | 'output'): JsonSchema => {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;
  return rest;
};

/** The route's path in OpenAPI syntax: API Gateway's greedy `{name+}` becomes `{name}`. */
export const openApiPath = (path: string) => path.replace(/\{(\w+)\+\}/g, '{$1}');

/** Whether a body schema (or a branch of it) has an `idempotency_key` field. */
const takesIdempotencyKey = (schema: JsonSchema): boolean =>
  Object.hasOwn((schema.properties ?? {}) as object, 'idempotency_key') ||
  ((schema.anyOf ?? schema.oneOf ?? []) as JsonSchema[]).some(takesIdempotencyKey);

function parameters(route: RouteDefinition) {
  const result: Record<string, unknown>[] = [];
  // The body's idempotency_key may come as a header instead (every route that takes one reads both).
  if (
    route.request.body &&
    dialectOf(route) === 'v1' &&
    takesIdempotencyKey(toJsonSchema(route.request.body, 'input'))
  ) {
    result.push({
      name: 'Idempotency-Key',
      in: 'header',
      required: false,
      description: 'The idempotency_key of the body, as a header (the body field wins when both are given)',
      schema: { type: 'string', maxLength: limits.idempotencyKeyLength },
    });
  }
  for (const [location, schema] of [
    ['path', route.request.path],
    ['query', route.request.query],
  ] as const) {
    if (!schema) continue;
    const json = toJsonSchema(schema, 'input') as { properties?: Record<string, JsonSchema>; required?: string[] };
    for (const [name, property] of Object.entries(json.properties ?? {})) {
      result.push({
        name,
        in: location,
        required: location === 'path' || (json.required ?? []).includes(name),
        schema: property,
      });
    }
  }
  return result;
}

const errorContent = (route: RouteDefinition) => ({
  'application/json': {
    schema: { $ref: `#/components/schemas/${dialectOf(route) === 'mlflow' ? 'MlflowError' : 'Error'}` },
  },
});

/**
 * The failures a route can answer with, in its dialect. The MLflow dialect answers
 * conflicts, oversized bodies and wrong content types with MLflow's 400, as its
 * server does (mlflow/error-renderer.ts). 414 and 431 come from the gateway in
 * front of every function, before any of them runs.
 */
function errorResponses(route: RouteDefinition) {
  const content = errorContent(route);
  const mlflow = dialectOf(route) === 'mlflow';
  const unavailable = {
    description: 'The store is shedding load: retry after the pause given',
    headers: { 'Retry-After': { description: 'Seconds to wait', required: true, schema: { type: 'integer' } } },
    content,
  };
  const gateway = (what: string) => ({
    description: `${what}, refused by the gateway before any function runs: API Gateway's own \`{"message"}\` when deployed, the error shape of \`/api/v1\` on the local server`,
  });
  return {
    '400': {
      description: mlflow
        ? `Invalid input (the message names the field), a conflict with stored state, a body over ${limits.requestBodyEventBytes} bytes as the function receives it (base64 or escaped text, the larger) or not sent as \`application/json\``
        : 'Invalid input (a query parameter the route does not take, or one given twice, included); the message names the field',
      content,
    },
    '401': { description: 'No bearer token, or one that is unknown or revoked', content },
    '403': { description: "The token's scope does not allow this operation", content },
    '404': { description: 'Unknown experiment or run', content },
    ...(mlflow
      ? { '413': gateway('A body over 10 MB') }
      : {
          '409': { description: 'Conflicts with stored state', content },
          '413': {
            description: `Body over ${limits.requestBodyEventBytes} bytes as the function receives it (base64 or escaped text, the larger): about 4.5 MB of JSON`,
            content,
          },
          ...(route.request.body
            ? {
                '415': {
                  description: 'A body not sent as `application/json` (optionally `; charset=utf-8`)',
                  content,
                },
              }
            : {}),
        }),
    '414': gateway('A request line (path and query) over 10,240 bytes'),
    '431': gateway('Header values over 10,240 bytes in all'),
    '503': unavailable,
  };
}

function operation(route: RouteDefinition) {
  const body = route.request.body;
  // A route whose own status is a redirect (MLflow's proxied PUT and GET) documents it once, with Location.
  const redirectStatus = route.response.status >= 300 && route.response.status < 400 ? route.response.status : 302;
  const success = (description: string) => ({
    description,
    headers: {
      'x-stratus-consumed-capacity': {
        description: 'DynamoDB capacity this request consumed, e.g. `read=1; write=4`',
        required: true,
        schema: { type: 'string' },
      },
      ...Object.fromEntries(
        Object.entries(route.response.headers ?? {}).map(([name, said]) => [
          name,
          { description: said, schema: { type: 'string' } },
        ]),
      ),
    },
    content: {
      'application/json': { schema: toJsonSchema(route.response.body, 'output') },
      ...Object.fromEntries((route.response.alternatives ?? []).map((type) => [type, { schema: { type: 'string' } }])),
    },
  });
  return {
    operationId: route.operationId,
    summary: route.summary,
    tags: [route.tag],
    parameters: parameters(route),
    ...(body
      ? { requestBody: { required: true, content: { 'application/json': { schema: toJsonSchema(body, 'input') } } } }
      : {}),
    responses: {
      [String(route.response.status)]: success(route.response.description),
      ...(route.response.also
        ? { [String(route.response.also.status)]: success(route.response.also.description) }
        : {}),
      ...(route.response.redirect
        ? {
            [String(redirectStatus)]: {
              description: route.response.redirect,
              headers: {
                ...success('').headers,
                Location: { description: 'Where to go', required: true, schema: { type: 'string', format: 'uri' } },
              },
              // `/api/v1` redirects carry the answer they stand for (download-artifact's link, size and expiry).
              ...(redirectStatus === route.response.status || dialectOf(route) === 'v1'
                ? { content: success('').content }
                : {}),
            },
          }
        : {}),
      ...errorResponses(route),
    },
  };
}

/** The OpenAPI 3.1 description of every route in the route table. */
export function openApiDocument() {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routeList) {
    const [own, ...aliases] = routePaths(route).map(openApiPath) as [string, ...string[]];
    paths[own] ??= {};
    (paths[own] as Record<string, unknown>)[route.method.toLowerCase()] = operation(route);
    // An alias is the same operation (one operationId, one description): its path item refers to the route's own.
    for (const alias of aliases) paths[alias] = { $ref: `#/paths/${own.replaceAll('~', '~0').replaceAll('/', '~1')}` };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Stratus',
      version: '1',
      description:
        'Serverless experiment tracking. Metric values are JSON numbers or the strings "NaN", "Infinity" and "-Infinity". Times are epoch milliseconds.',
    },
    paths,
    // Every operation takes a token (see README: Tokens and workspaces).
    security: [{ bearerToken: [] }],
    components: {
      schemas: {
        Error: toJsonSchema(errorResponse, 'output'),
        MlflowError: toJsonSchema(mlflowErrorResponse, 'output'),
      },
      securitySchemes: {
        bearerToken: { type: 'http', scheme: 'bearer', description: 'A Stratus token: stratus_<id>_<secret>' },
      },
    },
  };
}
