import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type * as z from 'zod/mini';
import type { Principal } from '../domain/access.ts';
import { scopeAllows } from '../domain/tokens.ts';
import { bodyEventBytes } from '../domain/answer-size.ts';
import {
  ForbiddenError,
  PayloadTooLargeError,
  UnsupportedMediaTypeError,
  ServiceUnavailableError,
  StratusError,
  UnauthorizedError,
  ValidationError,
} from '../errors.ts';
import { limits } from '../limits.ts';
import { log } from '../logger.ts';
import { sourceMappedStack } from '../observability/stack-trace.ts';
import { type CapacityTotals, withCapacityMeter } from '../storage/capacity.ts';
import { retryAfterSeconds } from '../storage/service-outage.ts';
import { requestAuthenticator } from '../runtime.ts';
import type { RequestScope } from '../use-cases/deps.ts';
import { type ErrorRenderer, type PublicError, renderV1Error } from './error-rendering.ts';
import { noteRequestFacts, withRequestLog } from './request-log.ts';
import { checkAnswerSize } from './answer-bound.ts';
import { type ApiGatewayEvent, httpApiEvent } from './rest-event.ts';
import { dialectOf, type RouteDefinition, routeKey, routeKeys } from './route-definition.ts';
import { dotSegmentIn, dotSegmentMessage } from './dot-segments.ts';

type Parsed<S> = S extends z.ZodMiniType ? z.output<S> : undefined;

/** What a handler receives: the request, already validated against the route's schemas. */
export interface RouteInput<R extends RouteDefinition> {
  path: Parsed<R['request']['path']>;
  query: Parsed<R['request']['query']>;
  body: Parsed<R['request']['body']>;
  headers: Readonly<Record<string, string | undefined>>;
  /** No request body at all: what an empty file sent without Content-Length (chunked) amounts to. */
  bodyEmpty: boolean;
}

export interface HandlerContext {
  scope: RequestScope;
  principal: Principal;
  requestId: string;
}

/**
 * A handler's answer; `status` defaults to the route's documented status. The
 * body is sent as JSON unless the client's Accept header prefers one of the
 * route's `alternatives` (media type -> serialiser of the same answer).
 */
export interface HttpResult {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
  alternatives?: Record<string, () => string>;
}

/** Turns an Authorization header into a principal, or throws UnauthorizedError. */
/**
 * The text of the body's value at a path, as the client wrote it: a dialect that
 * quotes refused values as sent (MLflow: `9.0`, which JSON.parse makes 9) passes one.
 */
export type SentText = (body: string, path: readonly PropertyKey[]) => string | undefined;

/** How a dialect reads a parsed JSON body before it is validated (MLflow: protobuf's `null`s, proto-json.ts). */
export type BodyReader = (body: unknown) => unknown;

export interface TokenChecker {
  authenticate(authorization: string | undefined): Promise<Principal>;
}

/** A Lambda handler behind either kind of API Gateway API (rest-event.ts converts a REST API's event). */
export type HttpHandler = (event: ApiGatewayEvent, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;

/** A Lambda handler and the route keys (`METHOD /path`) it serves. */
export type RouteHandler = HttpHandler & { readonly routeKeys: readonly string[] };

/**
 * Builds a Lambda handler for one route: check the bearer token and its scope
 * (before anything else, so an anonymous caller learns nothing, not even how
 * its input would be judged), parse and validate the request with the route's
 * zod schemas, run the handler with a DynamoDB capacity meter, and turn the
 * result, or any error, into an HTTP response. Typed errors keep their status
 * and message; anything else becomes a bare 500 with nothing leaked.
 *
 * Tokens are checked here rather than by an API Gateway authorizer: HTTP API
 * authorizers answer a rejected token with 403 in their own format, where the
 * API promises 401 and its JSON errors, and the local stack runs this very code.
 */
export function createHandler<R extends RouteDefinition>(
  route: R,
  handle: (input: RouteInput<R>, context: HandlerContext) => Promise<HttpResult>,
  options: {
    authenticator?: () => TokenChecker;
    renderError?: ErrorRenderer;
    sentText?: SentText;
    readBody?: BodyReader;
  } = {},
): RouteHandler {
  const authenticator = options.authenticator ?? requestAuthenticator;
  const base = async (event: APIGatewayProxyEventV2, context: Context) => {
    const meter: CapacityTotals = { readUnits: 0, writeUnits: 0 };
    noteRequestFacts(context, { capacity: meter });
    const { result, capacity } = await withCapacityMeter(async () => {
      const principal = await authenticator().authenticate(event.headers?.authorization);
      noteRequestFacts(context, { workspace: principal.workspaceId });
      if (!scopeAllows(principal.scope, route.access)) {
        const article = /^[aeiou]/.test(route.access) ? 'an' : 'a';
        throw new ForbiddenError(
          `${route.operationId} needs ${article} ${route.access} token; this one is ${principal.scope}`,
        );
      }
      const input = parseRequest(route, event, options);
      const scope: RequestScope = { workspace: principal.workspaceId };
      return handle(input, { scope, principal, requestId: context.awsRequestId });
    }, meter);
    const headers = { ...result.headers, ...capacityHeader(capacity) };
    const status = result.status ?? route.response.status;
    const mediaType = preferredMediaType(event.headers?.accept, Object.keys(result.alternatives ?? {}));
    const serialise = mediaType && result.alternatives?.[mediaType];
    const response: APIGatewayProxyStructuredResultV2 = serialise
      ? {
          statusCode: status,
          headers: { 'content-type': `${mediaType}; charset=utf-8`, ...answerHygiene, ...headers },
          body: serialise(),
        }
      : jsonResponse(status, result.body, headers);
    checkAnswerSize(response, result.body);
    return response;
  };
  const renderError = options.renderError ?? renderV1Error;
  // An MLflow route answered in the v1 shape would break the MLflow client's error handling quietly.
  if (dialectOf(route) !== 'v1' && !options.renderError) {
    throw new Error(`${routeKey(route)} is an MLflow route: build its handler with createMlflowHandler`);
  }
  const handler = middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>(base, {
    // Just before the function's own timeout (which API Gateway answers with a bare 500),
    // answer 503 with Retry-After: the work is abandoned, the client may retry.
    timeoutEarlyInMillis: 250,
    timeoutEarlyResponse: () => {
      throw new ServiceUnavailableError(retryAfterSeconds.unavailable, { cause: 'the function ran out of time' });
    },
  }).use({
    onError: async (request) => {
      const error = publicError(request.error, route, request.context.awsRequestId);
      noteRequestFacts(request.context, { errorCode: error.code });
      const rendered = renderError(error);
      request.response = jsonResponse(rendered.status, rendered.body, rendered.headers);
    },
  }) as unknown as (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;
  const logged = withRequestLog(route, handler);
  const served: HttpHandler = (event, context) => logged(httpApiEvent(event), context);
  return Object.assign(served, { routeKeys: routeKeys(route) });
}

/**
 * One Lambda handler for several routes that share an entry (an operation's
 * `/api/v1` route and its MLflow twin): API Gateway names the matched route in
 * `event.routeKey`, and the local server does the same.
 */
export function serveRoutes(...handlers: readonly RouteHandler[]): RouteHandler {
  const byRouteKey = new Map<string, HttpHandler>();
  for (const handler of handlers) {
    for (const key of handler.routeKeys) {
      if (byRouteKey.has(key)) throw new Error(`two handlers for ${key}`);
      byRouteKey.set(key, handler);
    }
  }
  const dispatch: HttpHandler = async (received, context) => {
    const event = httpApiEvent(received);
    const handler = byRouteKey.get(event.routeKey);
    if (handler) return handler(event, context);
    // Only a stack wired against the route table can get here.
    log('error', 'no handler for route key', { routeKey: event.routeKey, requestId: context.awsRequestId });
    return jsonResponse(404, { error: { code: 'route.not_found', message: `no route for ${event.routeKey}` } });
  };
  return Object.assign(dispatch, { routeKeys: [...byRouteKey.keys()] });
}

function parseRequest<R extends RouteDefinition>(
  route: R,
  event: APIGatewayProxyEventV2,
  { sentText, readBody }: { sentText?: SentText | undefined; readBody?: BodyReader | undefined },
): RouteInput<R> {
  const { request } = route;
  const dotSegment = dotSegmentIn(event.rawPath);
  if (dotSegment !== undefined) throw new ValidationError(dotSegmentMessage(dotSegment), 'path.dot_segment');
  // The path first: a request for what cannot exist (`PATCH /runs/search`, run id "search") is told
  // so, whatever its body.
  const path = validate('path', request.path, decodePathParameters(event.pathParameters));
  let body: unknown;
  if (request.body) {
    const { value, text } = parseBody(event);
    body = validate(
      'body',
      request.body,
      readBody ? readBody(value) : value,
      sentText && ((path) => sentText(text, path)),
    );
  }
  const query = event.queryStringParameters ?? {};
  if (dialectOf(route) === 'v1') {
    refuseUnknownQuery(request.query, query);
    refuseRepeatedQuery(event.rawQueryString, request.repeatableQuery);
  }
  return {
    path,
    query: validate('query', request.query, query),
    body,
    headers: event.headers ?? {},
    bodyEmpty: !event.body,
  } as RouteInput<R>;
}

/**
 * /api/v1 refuses a query parameter its route does not take, naming it and the one it likely
 * meant: a misspelt `?limit=10` was ignored and answered 50. A loose query schema (experiments'
 * `tag.KEY=VALUE` filters) takes names under `tag.`. MLflow's API stays lenient, as MLflow's
 * server is: its client sends what it sends.
 */
function refuseUnknownQuery(schema: z.ZodMiniType | undefined, query: object) {
  const def = schema?._zod.def as { shape?: object; catchall?: unknown } | undefined;
  const known = Object.keys(def?.shape ?? {});
  // The same name spelt another way (case, `-`, `_`, a plural), or `limit` for a page size.
  const squash = (text: string) =>
    text
      .toLowerCase()
      .replace(/[-_]|s$/g, '')
      .replace('limit', 'maxresult');
  for (const name in query) {
    if (known.includes(name) || (def?.catchall && name.startsWith('tag.'))) continue;
    const meant = known.find((k) => squash(k) === squash(name));
    throw new ValidationError(
      `query.${name}: is not a parameter of this request${meant ? `; did you mean '${meant}'?` : ''}`,
      'query.invalid',
    );
  }
}

/**
 * API Gateway joins a repeated query parameter's values with commas, so `?max_results=5&max_results=7`
 * would read as "5,7" and `?page_token=a&page_token=b` as one token "a,b": /api/v1 refuses the repeat,
 * naming it, unless the route reads that parameter as a list. The raw query string still shows it.
 */
function refuseRepeatedQuery(rawQuery = '', repeatable: readonly string[] = []) {
  const names = [...new URLSearchParams(rawQuery).keys()];
  const repeated = names.find((name, index) => names.indexOf(name) < index && !repeatable.includes(name));
  if (repeated !== undefined) throw new ValidationError(`query.${repeated}: given more than once`, 'query.invalid');
}

function decodePathParameters(parameters: Record<string, string | undefined> | undefined) {
  const decoded: Record<string, string> = {};
  for (const [name, value] of Object.entries(parameters ?? {})) {
    if (value === undefined) continue;
    try {
      decoded[name] = decodeURIComponent(value);
    } catch {
      throw new ValidationError(`path.${name}: is not valid percent-encoding`, 'path.invalid');
    }
  }
  return decoded;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function parseBody(event: APIGatewayProxyEventV2): { value: unknown; text: string } {
  const raw = event.body ?? '';
  const bytes = event.isBase64Encoded ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8');
  const eventBytes = bodyEventBytes(bytes);
  if (eventBytes > limits.requestBodyEventBytes) {
    throw new PayloadTooLargeError(
      `request body is ${bytes.length} bytes, ${eventBytes} in the function's event (base64 or escaped text); the limit is ${limits.requestBodyEventBytes}`,
    );
  }
  if (bytes.length === 0) throw new ValidationError('body: a JSON object is required', 'body.missing');
  const contentType = event.headers?.['content-type'];
  if (!isJson(contentType)) {
    throw new UnsupportedMediaTypeError(
      `content-type: must be application/json (optionally with charset=utf-8); got ${contentType === undefined ? 'none' : `'${contentType.slice(0, 100)}'`}`,
    );
  }
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    throw new ValidationError('body: is not valid UTF-8', 'body.invalid_utf8');
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    const spelled = withNonFiniteLiteralsQuoted(text);
    try {
      if (spelled === text) throw error;
      body = JSON.parse(spelled);
      text = spelled;
    } catch {
      throw new ValidationError(`body: is not valid JSON (${(error as Error).message})`, 'body.invalid_json');
    }
  }
  const prototypeKey = prototypeKeyPath(body);
  if (prototypeKey) throw new ValidationError(`${prototypeKey}: must not be __proto__`, 'body.invalid');
  return { value: body, text };
}

/** A JSON string (consumed whole, so words inside it stay text) or one of Python's non-finite literals. */
const stringOrNonFinite = /"(?:[^"\\]|\\.)*"|-?Infinity|NaN/g;

/**
 * Python's json module (what `requests.post(json=...)` uses, and MLflow's server reads) writes
 * NaN and ±Infinity as the bare words `NaN`, `Infinity` and `-Infinity`, which JSON has not.
 * Outside strings they become the strings `"NaN"`, `"Infinity"` and `"-Infinity"`, the spelling
 * both APIs take for such a metric value; anything else still refuses them as it refuses any
 * string. Only tried on a body JSON.parse refused, so valid JSON is read as it always was.
 */
function withNonFiniteLiteralsQuoted(text: string): string {
  return text.replace(stringOrNonFinite, (token) => (token.startsWith('"') ? token : `"${token}"`));
}

/**
 * `application/json`, bare or with `charset=utf-8` (any case, quoted or not):
 * the one encoding a body is read in. Anything else (no type, text/plain, forms,
 * multipart, XML, another charset) would be read as something it is not.
 */
function isJson(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  const [type, ...parameters] = contentType.split(';').map((part) => part.trim().toLowerCase());
  if (type !== 'application/json') return false;
  return parameters.every((parameter) => /^charset\s*=\s*(utf-8|"utf-8")$/.test(parameter));
}

/**
 * Where the body has an object key `__proto__`, if anywhere. JSON.parse keeps
 * it as an own property, but zod, DynamoDB's marshaller and ordinary JavaScript
 * treat it as the prototype, so it would vanish (or worse) on its way to the
 * table; it is refused with a 400 naming it instead. (README, "Limits".)
 */
function prototypeKeyPath(value: unknown): string | undefined {
  const pending: Array<[unknown, string]> = [[value, 'body']];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const [node, path] = next;
    if (typeof node !== 'object' || node === null) continue;
    if (Array.isArray(node)) {
      node.forEach((item, index) => pending.push([item, `${path}[${index}]`]));
      continue;
    }
    if (Object.hasOwn(node, '__proto__')) return `${path}.__proto__`;
    for (const [key, item] of Object.entries(node)) pending.push([item, `${path}.${key}`]);
  }
  return undefined;
}

function validate(
  location: string,
  schema: z.ZodMiniType | undefined,
  value: unknown,
  sentTextAt?: (path: readonly PropertyKey[]) => string | undefined,
): unknown {
  if (!schema) return undefined;
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = mostSpecificIssue(result.error.issues, value);
  // An unknown key (a typo, most likely) is named as the field, not its parent object.
  const unknown = issue.code === 'unrecognized_keys' ? issue.keys : [];
  const path = unknown.length > 0 ? [...issue.path, unknown[0] as string] : issue.path;
  const field = [location, ...path.map(shownSegment)].join('.').replace(/\.(\d+)(?=\.|$)/g, '[$1]');
  const name = field.slice(location.length).replace(/^\./, '');
  const message =
    unknown.length > 0
      ? `is not a field of this request${
          unknown.length > 1
            ? ` (nor ${unknown
                .slice(1)
                .map((key) => `'${key}'`)
                .join(', ')})`
            : ''
        }`
      : issue.message;
  const sent = valueAt(value, path);
  // Only a number's spelling is lost by JSON.parse; strings, objects and the rest quote as they were.
  const text = typeof sent === 'number' ? sentTextAt?.(path) : undefined;
  throw new ValidationError(`${field}: ${message}`, `${location}.invalid`, {
    name,
    missing: sent === undefined || sent === null,
    ...(sent !== undefined && sent !== null && { value: sent }),
    ...(text !== undefined && { sentText: text }),
    reason: message,
  });
}

type Issue = z.core.$ZodIssue;

/**
 * A path segment as an error names it. Keys are the client's own, and a refused one may be far
 * longer than any key may be: its start and its length say which, without sending a megabyte back.
 */
function shownSegment(segment: PropertyKey): string {
  const text = String(segment);
  return text.length <= 256 ? text : `${text.slice(0, 64)}…(${text.length} characters)`;
}

/**
 * The issue that tells the client the most. For a union (the single-point and
 * batch forms of logMetrics), the branch the client meant is the one whose
 * complaint is about a field the client sent: `{"metric_name", "metric_value",
 * "step": 1.5}` is about `step`, not about the batch form's missing `metrics`.
 * For a record key, the key's own complaint (`must not be empty`).
 */
function mostSpecificIssue(issues: readonly Issue[], value: unknown): Issue {
  const resolved = issues.map((issue) => {
    // A record key that fails its schema: say what is wrong with the key, not zod's "Invalid key in record".
    if (issue.code === 'invalid_key' && issue.issues.length > 0) {
      return { ...(issue.issues[0] as Issue), path: issue.path };
    }
    if (issue.code !== 'invalid_union' || issue.errors.length === 0) return issue;
    const here = valueAt(value, issue.path);
    const best = mostSpecificIssue(issue.errors.flat(), here);
    return { ...best, path: [...issue.path, ...best.path] };
  });
  return resolved.reduce((a, b) => (score(b, value) > score(a, value) ? b : a));
}

/**
 * Issues about sent fields first, then deeper paths, then anything but unknown keys, and at one
 * depth a value of the wrong type before a value that breaks a rule (as MLflow's server checks a
 * request's shape before its store checks names: `{"key": "a@b", "value": 7}` is about the 7).
 */
const score = (issue: Issue, value: unknown) =>
  (issue.code !== 'unrecognized_keys' && wasSent(value, issue.path) ? 1000 : 0) +
  issue.path.length * 2 +
  (issue.code === 'unrecognized_keys' ? 0 : 1) +
  (issue.code === 'invalid_type' ? 0.5 : 0);

function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let node = value;
  for (const key of path) {
    if (typeof node !== 'object' || node === null || !Object.hasOwn(node, key)) return undefined;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return node;
}

function wasSent(value: unknown, path: readonly PropertyKey[]): boolean {
  if (path.length === 0) return false;
  const parent = valueAt(value, path.slice(0, -1));
  return typeof parent === 'object' && parent !== null && Object.hasOwn(parent, path[path.length - 1] as PropertyKey);
}

/**
 * The alternative media type the Accept header ranks above JSON, if any. Only
 * exact types count for alternatives; JSON also answers to wildcards and is
 * what a client without an Accept header gets.
 */
export function preferredMediaType(accept: string | undefined, alternatives: readonly string[]): string | undefined {
  if (!accept || alternatives.length === 0) return undefined;
  const weights = new Map<string, number>();
  for (const part of accept.split(',')) {
    const [type, ...parameters] = part.trim().toLowerCase().split(';');
    const q = parameters.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find((value) => value !== undefined);
    const weight = q === undefined ? 1 : Number(q);
    if (type && Number.isFinite(weight)) weights.set(type.trim(), Math.max(weights.get(type.trim()) ?? 0, weight));
  }
  const json = Math.max(
    weights.get('application/json') ?? 0,
    weights.get('application/*') ?? 0,
    weights.get('*/*') ?? 0,
  );
  let best: string | undefined;
  let bestWeight = json;
  for (const type of alternatives) {
    const weight = weights.get(type) ?? 0;
    if (weight > bestWeight) {
      best = type;
      bestWeight = weight;
    }
  }
  return best;
}

function capacityHeader(capacity: CapacityTotals): Record<string, string> {
  const round = (n: number) => Math.round(n * 100) / 100;
  return { 'x-stratus-consumed-capacity': `read=${round(capacity.readUnits)}; write=${round(capacity.writeUnits)}` };
}

/**
 * On every answer: answers hold a workspace's data, and a new token's secret, so no cache (a
 * browser's, a proxy's) keeps them; and a browser reads them as the type they declare, never as
 * a page it sniffed.
 */
const answerHygiene = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' } as const;

function jsonResponse(
  statusCode: number,
  body: unknown,
  headers: Record<string, string> = {},
): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode,
    headers: { 'content-type': 'application/json', ...answerHygiene, ...headers },
    // A trailing newline, so `curl` output ends its line and the next prompt starts on its own.
    body: body === undefined ? '' : `${JSON.stringify(body)}\n`,
  };
}

/**
 * What the client may learn of an error: a typed error below 500 (or a 503)
 * keeps its status, code and message; anything else is logged and becomes a
 * bare 500 that names only the request id.
 */
function publicError(error: unknown, route: RouteDefinition, requestId: string): PublicError {
  if (error instanceof ServiceUnavailableError) {
    log('warn', 'service unavailable', { operation: route.operationId, requestId, cause: describe(error.cause) });
    return {
      status: error.statusCode,
      code: error.code,
      message: error.message,
      headers: { 'retry-after': String(error.retryAfterSeconds) },
    };
  }
  if (error instanceof UnauthorizedError) {
    return {
      status: error.statusCode,
      code: error.code,
      message: error.message,
      headers: { 'www-authenticate': 'Bearer' },
    };
  }
  if (error instanceof StratusError && error.statusCode < 500) {
    // Messages quote the input, sometimes cut short: a cut through a surrogate pair would leave
    // a lone surrogate, which strict JSON parsers refuse. It becomes U+FFFD instead.
    const parameter = error instanceof ValidationError ? error.parameter : undefined;
    return {
      status: error.statusCode,
      code: error.code,
      message: error.message.toWellFormed(),
      ...(parameter && { parameter }),
      ...(error.subject && { subject: error.subject }),
    };
  }
  log('error', 'unhandled error', {
    operation: route.operationId,
    requestId,
    error: describe(error),
  });
  return { status: 500, code: 'internal', message: `internal error (request ${requestId})` };
}

const describe = (error: unknown) =>
  error instanceof Error
    ? { name: error.name, message: error.message, stack: error.stack && sourceMappedStack(error.stack) }
    : error === undefined
      ? undefined
      : String(error);
