import { Duration, Lazy, type RemovalPolicy } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  type CfnStage,
  CorsHttpMethod,
  HttpApi,
  type HttpRoute,
  HttpStage,
  LogGroupLogDestination,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { type RouteDefinition, routeKey } from '../../shared/http/route-definition.ts';

export interface ThrottleLimits {
  rate: number;
  burst: number;
}

export interface StratusHttpApiProps {
  throttle: ThrottleLimits;
  ingestThrottle: ThrottleLimits;
  corsOrigins: readonly string[];
  logRetention: RetentionDays;
  removalPolicy: RemovalPolicy;
}

/**
 * Fields of each access log line. Deliberately no header, no `$context.authorizer`
 * value and no query string: the bearer token travels in the Authorization header
 * and page tokens in the query, and neither belongs in a log.
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

export const apiGatewayAuthorizerReason =
  'Authentication is not an API Gateway authorizer by design: every route verifies the bearer token in the handler factory (shared/http/handler.ts) before any handler logic runs. One check is shared by Lambda and the local server, rejections come in the API own JSON error format (401, where HTTP API authorizers answer 403), and another workspace resources answer 404, not 403.';

export { routeKey };

/**
 * The HTTP API and its `$default` stage: a stage-wide throttle, a tighter
 * throttle on ingest routes, and JSON access logs without credentials. The
 * routes themselves live with their functions in the route groups
 * (route-group.ts), which report each one here.
 */
export class StratusHttpApi extends Construct {
  readonly api: HttpApi;
  readonly stage: HttpStage;
  readonly accessLogs: LogGroup;
  private readonly ingestThrottle: ThrottleLimits;
  /** Keyed by route keys the route table defines, never by user input. */
  private readonly routeSettings: Record<string, { ThrottlingRateLimit: number; ThrottlingBurstLimit: number }> = {};

  constructor(scope: Construct, id: string, props: StratusHttpApiProps) {
    super(scope, id);
    this.ingestThrottle = props.ingestThrottle;
    this.api = new HttpApi(this, 'Api', {
      description: 'Stratus experiment tracking API',
      createDefaultStage: false,
      corsPreflight:
        props.corsOrigins.length === 0
          ? undefined
          : {
              allowOrigins: [...props.corsOrigins],
              allowMethods: [
                CorsHttpMethod.GET,
                CorsHttpMethod.POST,
                CorsHttpMethod.PUT,
                CorsHttpMethod.PATCH,
                CorsHttpMethod.DELETE,
              ],
              allowHeaders: ['authorization', 'content-type', 'idempotency-key'],
              exposeHeaders: ['x-stratus-consumed-capacity', 'retry-after'],
              maxAge: Duration.hours(1),
            },
    });

    this.accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: props.logRetention,
      removalPolicy: props.removalPolicy,
    });

    this.stage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: props.throttle.rate, burstLimit: props.throttle.burst },
      accessLogSettings: {
        destination: new LogGroupLogDestination(this.accessLogs),
        format: AccessLogFormat.custom(JSON.stringify(accessLogFields)),
      },
    });

    (this.stage.node.defaultChild as CfnStage).routeSettings = Lazy.any({
      produce: () => (Object.keys(this.routeSettings).length > 0 ? this.routeSettings : undefined),
    });
  }

  /** Called for every route created on this API: ingest routes get the tighter throttle. */
  routeAdded(route: RouteDefinition, httpRoute: HttpRoute): void {
    if (!route.ingest) return;
    this.routeSettings[routeKey(route)] = {
      ThrottlingRateLimit: this.ingestThrottle.rate,
      ThrottlingBurstLimit: this.ingestThrottle.burst,
    };
    // A stage's route settings name routes that must already exist.
    this.stage.node.addDependency(httpRoute);
  }

  /** The stage's invoke URL, ending in a slash. */
  get url(): string {
    return this.stage.url;
  }
}
