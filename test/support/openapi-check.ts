import { Ajv2020 } from 'ajv/dist/2020.js';
import { openApiDocument, openApiPath } from '../../shared/http/openapi.ts';
import type { RouteDefinition } from '../../shared/http/route-definition.ts';

/**
 * Checks real requests and answers against the OpenAPI description the server
 * publishes, with a JSON Schema 2020-12 validator (OpenAPI 3.1's dialect) rather
 * than the zod schemas the description is generated from: what a client
 * generated from `openapi.json` (or a contract tester) holds the service to,
 * including what the generation loses or adds (`additionalProperties: false` on
 * every answer object, patterns, bounds).
 */
const document = openApiDocument();
// `format` (uri) is an annotation here; the rest of OpenAPI's own keywords are not schema keywords.
const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
ajv.addSchema(document, 'openapi');

type Operation = {
  parameters: Array<{ name: string; in: string; required: boolean; schema: unknown }>;
  requestBody?: { content: Record<string, { schema: unknown }> };
  responses: Record<
    string,
    { headers?: Record<string, { required?: boolean }>; content?: Record<string, { schema: { $ref?: string } }> }
  >;
};

const pointer = (...segments: string[]) =>
  segments.map((segment) => segment.replaceAll('~', '~0').replaceAll('/', '~1')).join('/');

function operationOf(route: RouteDefinition): { operation: Operation; at: string } {
  const path = openApiPath(route.path);
  const method = route.method.toLowerCase();
  const operation = (document.paths[path] as Record<string, Operation> | undefined)?.[method];
  if (!operation) throw new Error(`openapi.json has no ${method} ${path}`);
  return { operation, at: `openapi#/${pointer('paths', path, method)}` };
}

function problemsOf(reference: string, value: unknown): string[] {
  const validate = ajv.getSchema(reference) ?? ajv.compile({ $ref: reference });
  if (validate(value)) return [];
  return (validate.errors ?? []).map(
    (error) =>
      `${error.instancePath || '(root)'} ${error.message}${error.params ? ` ${JSON.stringify(error.params)}` : ''}`,
  );
}

export interface Answer {
  status: number;
  headers: Headers;
  /** The raw body text. */
  text: string;
}

/**
 * What is wrong with an answer, by the route's OpenAPI entry: a status it does
 * not list, a media type it does not name, a header it promises that is not
 * there, or a JSON body its schema refuses. Empty when the answer agrees.
 */
export function answerProblems(route: RouteDefinition, answer: Answer): string[] {
  const { operation, at } = operationOf(route);
  const status = String(answer.status);
  const documented = operation.responses[status];
  if (!documented) return [`status ${status} is not documented (${Object.keys(operation.responses).join(', ')})`];
  const problems: string[] = [];
  for (const [name, header] of Object.entries(documented.headers ?? {})) {
    // Retry-After is documented for the 503 only; the capacity header is on every answer a function gives.
    if (header.required && !answer.headers.has(name))
      problems.push(`header ${name} is documented as required but missing`);
  }
  if (!documented.content) {
    if (answer.text !== '') problems.push(`a body where none is documented: ${answer.text.slice(0, 100)}`);
    return problems;
  }
  const mediaType = (answer.headers.get('content-type') ?? '').split(';')[0]?.trim() ?? '';
  if (!Object.hasOwn(documented.content, mediaType)) {
    return [...problems, `media type '${mediaType}' is not documented (${Object.keys(documented.content).join(', ')})`];
  }
  if (mediaType !== 'application/json') return problems;
  let body: unknown;
  try {
    body = JSON.parse(answer.text);
  } catch {
    return [...problems, `not JSON: ${answer.text.slice(0, 100)}`];
  }
  const schema = `${at}/${pointer('responses', status, 'content', mediaType, 'schema')}`;
  return [...problems, ...problemsOf(schema, body).map((problem) => `body ${problem}`)];
}

/**
 * What the route's OpenAPI entry says is wrong with a request the server
 * accepted: a body its requestBody schema refuses, or a query parameter it does
 * not list or whose schema refuses the value. A server that takes what its
 * description forbids misleads every generated client and fuzzer.
 */
export function requestProblems(route: RouteDefinition, query: URLSearchParams, body: unknown): string[] {
  const { operation, at } = operationOf(route);
  const problems: string[] = [];
  const parameters = operation.parameters.filter((parameter) => parameter.in === 'query');
  for (const [name, value] of query) {
    // `tag.KEY=VALUE` filters are described on the operation as a whole, not as parameters.
    if (name.startsWith('tag.')) continue;
    const index = parameters.findIndex((parameter) => parameter.name === name);
    if (index < 0) {
      problems.push(`query parameter ${name} is not documented`);
      continue;
    }
    const parameter = parameters[index] as Operation['parameters'][number];
    // A query value is text: a number or boolean parameter is checked as what it reads as.
    const typed = /^-?\d+(\.\d+)?$/.test(value)
      ? Number(value)
      : value === 'true' || value === 'false'
        ? value === 'true'
        : value;
    const schema = `${at}/${pointer('parameters', String(operation.parameters.indexOf(parameter)), 'schema')}`;
    const asText = problemsOf(schema, value);
    if (asText.length > 0 && problemsOf(schema, typed).length > 0) {
      problems.push(...asText.map((problem) => `query ${name}=${value}: ${problem}`));
    }
  }
  if (body !== undefined) {
    if (!operation.requestBody) return [...problems, 'a body the operation does not document'];
    const schema = `${at}/${pointer('requestBody', 'content', 'application/json', 'schema')}`;
    problems.push(...problemsOf(schema, body).map((problem) => `request body ${problem}`));
  }
  return problems;
}
