import * as z from 'zod/mini';
import { limits } from '../limits.ts';
import type { RouteDefinition } from './route-definition.ts';
import { routeList } from './route-table.ts';
import { errorResponse } from './schemas/errors.ts';

type JsonSchema = Record<string, unknown>;

const toJsonSchema = (schema: z.ZodMiniType, io: 'input' | 'output'): JsonSchema => {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;
  return rest;
};

/** The route's path in OpenAPI syntax: API Gateway's greedy `{name+}` becomes `{name}`. */
export const openApiPath = (path: string) => path.replace(/\{(\w+)\+\}/g, '{$1}');

function parameters(route: RouteDefinition) {
  const result: Record<string, unknown>[] = [];
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

const errorContent = { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } };

function operation(route: RouteDefinition) {
  const body = route.request.body;
  return {
    operationId: route.operationId,
    summary: route.summary,
    tags: [route.tag],
    parameters: parameters(route),
    ...(body
      ? { requestBody: { required: true, content: { 'application/json': { schema: toJsonSchema(body, 'input') } } } }
      : {}),
    responses: {
      [String(route.response.status)]: {
        description: route.response.description,
        headers: {
          'x-stratus-consumed-capacity': {
            description: 'DynamoDB capacity this request consumed, e.g. `read=1; write=4`',
            schema: { type: 'string' },
          },
        },
        content: {
          'application/json': { schema: toJsonSchema(route.response.body, 'output') },
          ...Object.fromEntries(
            (route.response.alternatives ?? []).map((type) => [type, { schema: { type: 'string' } }]),
          ),
        },
      },
      ...(route.response.redirect
        ? {
            '302': {
              description: route.response.redirect,
              headers: { Location: { description: 'Where to go', schema: { type: 'string', format: 'uri' } } },
            },
          }
        : {}),
      '400': { description: 'Invalid input; the message names the field', content: errorContent },
      '401': { description: 'No bearer token, or one that is unknown or revoked', content: errorContent },
      '403': { description: "The token's scope does not allow this operation", content: errorContent },
      '404': { description: 'Unknown experiment or run', content: errorContent },
      '409': { description: 'Conflicts with stored state', content: errorContent },
      '413': { description: `Body over ${limits.requestBodyBytes} bytes`, content: errorContent },
      ...(body
        ? {
            '415': {
              description: 'A body not sent as `application/json` (optionally `; charset=utf-8`)',
              content: errorContent,
            },
          }
        : {}),
      '503': {
        description: 'The store is shedding load: retry after the pause given',
        headers: { 'Retry-After': { description: 'Seconds to wait', schema: { type: 'integer' } } },
        content: errorContent,
      },
    },
  };
}

/** The OpenAPI 3.1 description of every route in the route table. */
export function openApiDocument() {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routeList) {
    const path = openApiPath(route.path);
    paths[path] ??= {};
    (paths[path] as Record<string, unknown>)[route.method.toLowerCase()] = operation(route);
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
      schemas: { Error: toJsonSchema(errorResponse, 'output') },
      securitySchemes: {
        bearerToken: { type: 'http', scheme: 'bearer', description: 'A Stratus token: stratus_<id>_<secret>' },
      },
    },
  };
}
