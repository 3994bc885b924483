import type { Metric, MetricOptions } from 'aws-cdk-lib/aws-cloudwatch';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { LogGroup } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type { RouteDefinition } from '../../shared/http/route-definition.ts';

/**
 * What the stack needs of the API in front of the functions, whichever kind
 * `stratus:apiType` chose: an HTTP API (http-api.ts, the default) or a REST
 * API (rest-api.ts, for LocalStack's free tier).
 */
export interface StratusApi {
  /**
   * The invoke URL, ending in a slash; routes start with api/v1/ (and api/2.0/ for MLflow's,
   * but for its two file routes get-artifact and model-versions/get-artifact, at the root as on its server).
   */
  readonly url: string;
  /** The access log group (JSON lines without credentials). */
  readonly accessLogs: LogGroup;
  /**
   * Puts a function's routes on the API. `scope` is the function's route group
   * (a nested stack), so per-route resources count against its 500, not the parent's.
   */
  serve(scope: Construct, functionId: string, routes: readonly RouteDefinition[], handler: IFunction): void;
  metricCount(props?: MetricOptions): Metric;
  metricClientError(props?: MetricOptions): Metric;
  metricServerError(props?: MetricOptions): Metric;
  metricLatency(props?: MetricOptions): Metric;
}

export const apiGatewayAuthorizerReason =
  'Authentication is not an API Gateway authorizer by design: every route verifies the bearer token in the handler factory (shared/http/handler.ts) before any handler logic runs. One check is shared by Lambda and the local server, rejections come in the API own JSON error format (401, where HTTP API authorizers answer 403), and another workspace resources answer 404, not 403.';

/**
 * Fields of each access log line. Deliberately no header, no `$context.authorizer`
 * value and no query string: the bearer token travels in the Authorization header
 * and page tokens in the query, and neither belongs in a log. A REST API logs
 * its resource path where an HTTP API logs its route key.
 */
export const accessLogFields = {
  requestId: '$context.requestId',
  time: '$context.requestTime',
  sourceIp: '$context.identity.sourceIp',
  userAgent: '$context.identity.userAgent',
  method: '$context.httpMethod',
  routeKey: '$context.routeKey',
  path: '$context.path',
  protocol: '$context.protocol',
  status: '$context.status',
  responseLength: '$context.responseLength',
  responseLatencyMs: '$context.responseLatency',
  integrationLatencyMs: '$context.integrationLatency',
  integrationStatus: '$context.integrationStatus',
  integrationError: '$context.integrationErrorMessage',
  error: '$context.error.message',
} as const;
