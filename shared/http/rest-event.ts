import type { APIGatewayProxyEvent, APIGatewayProxyEventV2 } from 'aws-lambda';

/** What a function is invoked with: an HTTP API's event (payload 2.0) or a REST API's (payload 1.0). */
export type ApiGatewayEvent = APIGatewayProxyEventV2 | APIGatewayProxyEvent;

/** True for the event of a REST API's Lambda proxy integration (`stratus:apiType=rest`). */
const isRestEvent = (event: ApiGatewayEvent): event is APIGatewayProxyEvent =>
  'httpMethod' in event && 'resource' in event;

/**
 * The HTTP API's form of an event, which is what the handlers read: a REST
 * API's event is converted the way an HTTP API would have sent the same
 * request. Its route key is method and resource (the resource is the route
 * table's path, `{name+}` included); header names are lower-cased; repeated
 * headers and query parameters are joined with commas (the raw query string
 * keeps each, as an HTTP API's does). Path parameters stay
 * percent-encoded, as both APIs send them. Names come from the client, so the
 * maps have no prototype.
 */
export function httpApiEvent(event: ApiGatewayEvent): APIGatewayProxyEventV2 {
  if (!isRestEvent(event)) return event;
  const headers = joined(pairsOf(event.multiValueHeaders, event.headers), (name) => name.toLowerCase());
  const queryPairs = [...pairsOf(event.multiValueQueryStringParameters, event.queryStringParameters)];
  const query = joined(queryPairs, (name) => name);
  const routeKey = `${event.httpMethod} ${event.resource}`;
  const { requestContext } = event;
  return {
    version: '2.0',
    routeKey,
    rawPath: event.path,
    // Each value again, so that a check on the raw query (a parameter given twice) sees what an HTTP API shows.
    rawQueryString: new URLSearchParams(queryPairs).toString(),
    headers,
    ...(Object.keys(query).length > 0 ? { queryStringParameters: query } : {}),
    ...(event.pathParameters ? { pathParameters: { ...event.pathParameters } } : {}),
    requestContext: {
      accountId: requestContext.accountId,
      apiId: requestContext.apiId,
      domainName: requestContext.domainName ?? '',
      domainPrefix: requestContext.domainPrefix ?? '',
      http: {
        method: event.httpMethod,
        path: event.path,
        protocol: requestContext.protocol,
        sourceIp: requestContext.identity.sourceIp,
        userAgent: requestContext.identity.userAgent ?? '',
      },
      requestId: requestContext.requestId,
      routeKey,
      stage: requestContext.stage,
      time: new Date(requestContext.requestTimeEpoch).toISOString(),
      timeEpoch: requestContext.requestTimeEpoch,
    },
    ...(event.body === null ? {} : { body: event.body }),
    isBase64Encoded: event.isBase64Encoded,
  };
}

/** Each name and value as the client sent them: from the lists when there are any, else from the map. */
function* pairsOf(
  many: Record<string, string[] | undefined> | null,
  single: Record<string, string | undefined> | null,
): Generator<[string, string]> {
  if (many) {
    for (const [name, list] of Object.entries(many)) for (const value of list ?? []) yield [name, value];
  } else if (single) {
    for (const [name, value] of Object.entries(single)) if (value !== undefined) yield [name, value];
  }
}

function joined(pairs: Iterable<[string, string]>, rename: (name: string) => string): Record<string, string> {
  const values: Record<string, string> = Object.create(null);
  for (const [name, value] of pairs) {
    const key = rename(name);
    values[key] = Object.hasOwn(values, key) ? `${values[key]},${value}` : value;
  }
  return values;
}
