import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { APIGatewayProxyEvent, APIGatewayProxyEventV2, Context } from 'aws-lambda';
import type { HttpHandler } from '../shared/http/handler.ts';
import { type RouteDefinition, routeKey } from '../shared/http/route-definition.ts';
import { routeList } from '../shared/http/route-table.ts';
import {
  answerClientError,
  bodyTooLarge,
  gatewayLimits,
  parserHeaderBytes,
  requestHeadRefusal,
  responseTooLarge,
} from './gateway-limits.ts';
import { createRouter, type RouteMatch } from './router.ts';
import { dotSegmentAnswer, unmatchedRouteAnswer } from './unmatched-route.ts';
import { dotSegmentIn, dotSegmentMessage } from '../shared/http/dot-segments.ts';
import { enforceRouteGrants, withRouteGrants } from './route-grants.ts';
import type { WebApp } from './web-app.ts';

const repositoryRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The API's URL spaces, `/api` and `/ajax-api`, in any case: never the web app's. */
const apiPrefix = /^\/+(?:api|ajax-api)(?:\/|$)/i;

export interface LocalServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

/**
 * Serves the route table over HTTP by turning each request into an API Gateway
 * v2 event and invoking the very handler module Lambda runs. Handler modules are
 * imported on first use, once, like a warm Lambda container. Each call runs
 * with its route's declared grants enforced, as its IAM role would in AWS.
 * Everything outside /api/ that no route takes is the web app, when one is given. With `apiType`
 * 'rest' the handlers get the event a REST API (v1) sends instead, as they do
 * in a stack deployed with `stratus:apiType=rest`.
 */
export async function startLocalServer(
  options: { host?: string; port?: number; web?: WebApp | undefined; apiType?: 'http' | 'rest' } = {},
): Promise<LocalServer> {
  enforceRouteGrants();
  const route = createRouter(routeList);
  const handlers = new Map<string, Promise<HttpHandler>>();
  const loadHandler = (definition: RouteDefinition) => {
    let handler = handlers.get(definition.entry);
    if (!handler) {
      handler = import(pathToFileURL(join(repositoryRoot, definition.entry)).href).then(
        (module: { handler: HttpHandler }) => module.handler,
      );
      handlers.set(definition.entry, handler);
    }
    return handler;
  };

  /** Whether a route outside /api/ takes this path (with any method): the route table's, not the web app's. */
  const routeMethods = [...new Set(routeList.map((definition) => definition.method))];
  const servedOutsideApi = (pathname: string) => routeMethods.some((method) => route(method, pathname) !== undefined);

  let inFlight = 0;
  let drained: (() => void) | undefined;
  const server: Server = createServer({ maxHeaderSize: parserHeaderBytes }, (request, response) => {
    inFlight++;
    serve(request, response)
      .catch((error: unknown) => {
        process.stderr.write(`local server: ${error instanceof Error ? error.stack : String(error)}\n`);
        if (!response.headersSent) send(response, 500, { error: { code: 'internal', message: 'internal error' } });
        else response.destroy();
      })
      .finally(() => {
        if (--inFlight === 0) drained?.();
      });
  });

  server.on('clientError', answerClientError);

  async function serve(request: IncomingMessage, response: ServerResponse) {
    const refused = requestHeadRefusal(request);
    if (refused) {
      request.resume();
      response.setHeader('connection', 'close');
      send(response, refused.status, refused.body);
      return;
    }
    let url: URL;
    try {
      // An origin-form target is a path even when it starts with '//' (MLflow's tests send
      // `//model-versions/get-artifact`): as a relative URL it would name a host instead.
      const target = request.url ?? '/';
      url = target.startsWith('/') ? new URL(`http://local${target}`) : new URL(target, 'http://local');
    } catch {
      request.resume();
      send(response, 400, { error: { code: 'request.malformed', message: 'the request target is not a valid URL' } });
      return;
    }
    const method = request.method ?? 'GET';
    // `/ajax-api` is MLflow's web app's API: the aliases of MLflow's routes (routePaths), and an
    // MLflow error elsewhere, never the web app's page; nor is a path under either prefix in another
    // case (`/API/v1/runs`), which no route takes (paths are case-sensitive, as API Gateway's are).
    // MLflow's file routes (`/get-artifact`, `/model-versions/get-artifact`) sit outside /api/ as on its server.
    if (options.web && !apiPrefix.test(url.pathname) && !servedOutsideApi(url.pathname)) {
      options.web.serve(request, response);
      return;
    }
    // The URL parser above has already resolved a `..` (or `%2e%2e`) against the segment
    // before it, which would route `DELETE …/tags/%2e%2e` to the run itself (shared/http/dot-segments.ts).
    const dotSegment = dotSegmentIn((request.url ?? '').split(/[?#]/, 1)[0]);
    if (dotSegment !== undefined) {
      request.resume();
      const answer = dotSegmentAnswer(url.pathname, dotSegmentMessage(dotSegment));
      send(response, answer.status, answer.body, answer.headers);
      return;
    }
    const match = route(method, url.pathname);
    if (!match) {
      request.resume();
      const answer = unmatchedRouteAnswer(method, url.pathname, route);
      send(response, answer.status, answer.body, answer.headers);
      return;
    }
    const body = await readBody(request);
    if (body === 'too-large') {
      const refusal = bodyTooLarge();
      send(response, refusal.status, refusal.body);
      return;
    }
    const handler = await loadHandler(match.route);
    const event = toEvent(request, url, match, body);
    const invoked = options.apiType === 'rest' ? toRestEvent(request, url, match, event) : event;
    const result = await withRouteGrants(match.route, () =>
      handler(invoked, lambdaContext(match.route, event.requestContext.requestId)),
    );
    const tooLarge = responseTooLarge(result);
    if (tooLarge) process.stderr.write(`local server: ${routeKey(match.route)}: ${tooLarge}\n`);
    response.writeHead(result.statusCode ?? 200, result.headers as Record<string, string>);
    response.end(result.body ?? '');
  }

  // Idle keep-alive connections are closed by the client first (undici after 4 s): a server that
  // closes them while a client sends on them resets that request, which a loaded machine makes likely.
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve);
  });
  const { port, address } = server.address() as AddressInfo;
  return {
    url: `http://${address}:${port}`,
    port,
    // Stop accepting, let requests already inside a handler finish (the database is still up), then close.
    close: async () => {
      const closed = new Promise<void>((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      );
      server.closeIdleConnections();
      if (inFlight > 0) {
        await Promise.race([
          new Promise<void>((resolve) => {
            drained = resolve;
          }),
          new Promise((resolve) => setTimeout(resolve, 10_000)),
        ]);
      }
      server.closeAllConnections();
      await closed;
    },
  };
}

function readBody(request: IncomingMessage): Promise<Buffer | 'too-large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > gatewayLimits.bodyBytes) tooLarge = true;
      else chunks.push(chunk);
    });
    request.on('end', () => resolve(tooLarge ? 'too-large' : Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

/** The server's own answers (no route, a refused request) carry the headers every route's answer does. */
function send(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  response.writeHead(status, {
    ...headers,
    'content-type': 'application/json',
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  });
  response.end(`${JSON.stringify(body)}\n`);
}

function toEvent(
  request: IncomingMessage,
  url: URL,
  { route, path, pathParameters }: RouteMatch,
  body: Buffer,
): APIGatewayProxyEventV2 {
  const headers: Record<string, string> = Object.create(null);
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(',') : value;
  }
  // API Gateway joins repeated query parameters with commas.
  // Null prototype: parameter names are the client's (`constructor`, `__proto__`).
  const query: Record<string, string> = Object.create(null);
  for (const [name, value] of url.searchParams) {
    query[name] = Object.hasOwn(query, name) ? `${query[name]},${value}` : value;
  }
  const now = Date.now();
  const key = routeKey({ method: route.method, path });
  return {
    version: '2.0',
    routeKey: key,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    ...(Object.keys(query).length ? { queryStringParameters: query } : {}),
    ...(Object.keys(pathParameters).length ? { pathParameters } : {}),
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'localhost',
      http: {
        method: route.method,
        path: url.pathname,
        protocol: `HTTP/${request.httpVersion}`,
        sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey: key,
      stage: '$default',
      time: new Date(now).toISOString(),
      timeEpoch: now,
    },
    ...(body.length ? { body: body.toString('base64'), isBase64Encoded: true } : { isBase64Encoded: false }),
  };
}

/**
 * The event an API Gateway REST API's Lambda proxy integration sends for the
 * same request: header names as the client wrote them, repeated headers and
 * query parameters as lists, the route table's path as `resource`.
 */
function toRestEvent(
  request: IncomingMessage,
  url: URL,
  { route, path }: RouteMatch,
  httpEvent: APIGatewayProxyEventV2,
): APIGatewayProxyEvent {
  const headers: Record<string, string> = Object.create(null);
  const multiValueHeaders: Record<string, string[]> = Object.create(null);
  for (let index = 0; index < request.rawHeaders.length; index += 2) {
    const name = request.rawHeaders[index]!;
    const value = request.rawHeaders[index + 1]!;
    headers[name] = value;
    (multiValueHeaders[name] ??= []).push(value);
  }
  const query: Record<string, string> = Object.create(null);
  const multiValueQuery: Record<string, string[]> = Object.create(null);
  for (const [name, value] of url.searchParams) {
    query[name] = value;
    (multiValueQuery[name] ??= []).push(value);
  }
  const hasQuery = Object.keys(query).length > 0;
  const { requestContext } = httpEvent;
  return {
    resource: path,
    path: url.pathname,
    httpMethod: route.method,
    headers,
    multiValueHeaders,
    queryStringParameters: hasQuery ? query : null,
    multiValueQueryStringParameters: hasQuery ? multiValueQuery : null,
    pathParameters: httpEvent.pathParameters ?? null,
    stageVariables: null,
    requestContext: {
      accountId: requestContext.accountId,
      apiId: requestContext.apiId,
      authorizer: undefined,
      domainName: requestContext.domainName,
      httpMethod: route.method,
      identity: restIdentity(requestContext.http.sourceIp, requestContext.http.userAgent),
      path: `/local${url.pathname}`,
      protocol: requestContext.http.protocol,
      requestId: requestContext.requestId,
      requestTimeEpoch: requestContext.timeEpoch,
      resourceId: 'local',
      resourcePath: path,
      stage: 'local',
    },
    body: httpEvent.body ?? null,
    isBase64Encoded: httpEvent.isBase64Encoded,
  };
}

function restIdentity(sourceIp: string, userAgent: string): APIGatewayProxyEvent['requestContext']['identity'] {
  return {
    accessKey: null,
    accountId: null,
    apiKey: null,
    apiKeyId: null,
    caller: null,
    clientCert: null,
    cognitoAuthenticationProvider: null,
    cognitoAuthenticationType: null,
    cognitoIdentityId: null,
    cognitoIdentityPoolId: null,
    principalOrgId: null,
    sourceIp,
    user: null,
    userAgent,
    userArn: null,
  };
}

function lambdaContext(route: RouteDefinition, requestId: string): Context {
  const deadline = Date.now() + 29_000;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: `stratus-local-${route.operationId}`,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:stratus-local-${route.operationId}`,
    memoryLimitInMB: '512',
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/stratus-local-${route.operationId}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
