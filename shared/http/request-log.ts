import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { businessMetrics, collectMetrics, type MetricSample } from '../observability/metrics.ts';
import type { CapacityTotals } from '../storage/capacity.ts';
import { type RouteDefinition, routeKey } from './route-definition.ts';

/**
 * One JSON line per request, written when it ends: who asked what, how it
 * went and what it cost (request id, route, operation, workspace, status, error
 * code, latency, DynamoDB capacity, cold start), with the request's metrics in
 * CloudWatch embedded metric format in the same line, so CloudWatch extracts
 * them from the log without an API call. Off unless a metrics namespace is
 * configured (the stack sets one; the local stack does not, to keep test
 * output readable). Nothing from the request's body, headers or query is
 * written, and no token.
 */

interface RequestFacts {
  workspace?: string;
  capacity?: CapacityTotals;
  errorCode?: string;
}

let namespace: string | undefined;
let coldStart = true;
let write = (line: string) => {
  process.stdout.write(`${line}\n`);
};

/**
 * Turns the request log on (a namespace) or off (undefined); `output` replaces
 * stdout in tests. shared/runtime.ts calls it with the configuration when it
 * builds the first SDK client, which every request does before it ends.
 */
export function configureRequestLog(metricsNamespace: string | undefined, output?: (line: string) => void): void {
  namespace = metricsNamespace;
  if (output) write = output;
}

const facts = new WeakMap<Context, RequestFacts>();

/** The handler factory reports what only it knows: the caller's workspace, the capacity meter, the error code. */
export function noteRequestFacts(context: Context, more: RequestFacts): void {
  facts.set(context, { ...facts.get(context), ...more });
}

type HttpHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;

/** Wraps a route's handler so that each request writes its log line and metrics. */
export function withRequestLog(route: RouteDefinition, handler: HttpHandler): HttpHandler {
  return async (event, context) => {
    const started = performance.now();
    const wasCold = coldStart;
    coldStart = false;
    const { outcome, samples } = await collectMetrics(() => handler(event, context));
    if (namespace === undefined) {
      facts.delete(context);
      if ('error' in outcome) throw outcome.error;
      return outcome.result;
    }
    const latencyMs = Math.round((performance.now() - started) * 10) / 10;
    const status = 'result' in outcome ? (outcome.result.statusCode ?? 200) : 500;
    const known = facts.get(context) ?? {};
    facts.delete(context);
    write(
      JSON.stringify(
        requestLogLine(namespace, route, {
          requestId: context.awsRequestId,
          workspace: known.workspace,
          status,
          latencyMs,
          coldStart: wasCold,
          readUnits: known.capacity?.readUnits,
          writeUnits: known.capacity?.writeUnits,
          errorCode: known.errorCode ?? (status >= 500 ? 'internal' : undefined),
          samples,
        }),
      ),
    );
    if ('error' in outcome) throw outcome.error;
    return outcome.result;
  };
}

export interface RequestSummary {
  requestId: string;
  workspace: string | undefined;
  status: number;
  latencyMs: number;
  coldStart: boolean;
  readUnits: number | undefined;
  writeUnits: number | undefined;
  errorCode: string | undefined;
  samples: readonly MetricSample[];
}

/**
 * The log line: the request's fields, and an `_aws` block declaring which of
 * them CloudWatch turns into metrics, with which dimensions. Capacity per
 * operation; errors by code and by class (4xx, 5xx); business metrics with
 * their own dimension, if any. Every dimension value comes from a small fixed
 * set, so the number of metrics (and their cost) stays bounded.
 */
export function requestLogLine(metricsNamespace: string, route: RouteDefinition, summary: RequestSummary) {
  const statusClass = `${Math.floor(summary.status / 100)}xx`;
  const directives: Array<{
    Namespace: string;
    Dimensions: string[][];
    Metrics: Array<{ Name: string; Unit: string }>;
  }> = [];
  const values: Record<string, number | string> = {};
  const directive = (dimensions: string[][], metrics: Array<{ Name: string; Unit: string }>) =>
    directives.push({ Namespace: metricsNamespace, Dimensions: dimensions, Metrics: metrics });

  if (summary.readUnits !== undefined && summary.writeUnits !== undefined) {
    directive(
      [['Operation']],
      [
        { Name: 'ReadUnits', Unit: 'Count' },
        { Name: 'WriteUnits', Unit: 'Count' },
      ],
    );
    values.ReadUnits = summary.readUnits;
    values.WriteUnits = summary.writeUnits;
  }
  if (summary.status >= 400) {
    directive([['StatusClass'], ['ErrorCode']], [{ Name: 'Errors', Unit: 'Count' }]);
    values.Errors = 1;
    values.StatusClass = statusClass;
    values.ErrorCode = summary.errorCode ?? statusClass;
  }
  const emitted = new Set<string>();
  for (const sample of summary.samples) {
    // One value per metric name in a log line: a second dimension value in the same request is left out.
    if (emitted.has(sample.name)) continue;
    emitted.add(sample.name);
    const unit = businessMetrics[sample.name];
    if (sample.dimension) {
      directive([[sample.dimension[0]]], [{ Name: sample.name, Unit: unit }]);
      values[sample.dimension[0]] = sample.dimension[1];
    } else {
      directive([[]], [{ Name: sample.name, Unit: unit }]);
    }
    values[sample.name] = sample.value;
  }

  return {
    level: summary.status >= 500 ? 'error' : 'info',
    message: 'request',
    time: new Date().toISOString(),
    requestId: summary.requestId,
    route: routeKey(route),
    operation: route.operationId,
    dialect: route.dialect ?? 'v1',
    workspace: summary.workspace,
    status: summary.status,
    errorCode: summary.errorCode,
    latencyMs: summary.latencyMs,
    coldStart: summary.coldStart,
    readUnits: summary.readUnits,
    writeUnits: summary.writeUnits,
    Operation: route.operationId,
    ...values,
    ...(directives.length > 0 ? { _aws: { Timestamp: Date.now(), CloudWatchMetrics: directives } } : {}),
  };
}
