import { Duration, type RemovalPolicy, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  type CfnStage,
  CorsHttpMethod,
  HttpApi,
  HttpMethod,
  type HttpRoute,
  HttpStage,
  LogGroupLogDestination,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { type RouteDefinition, routeKey } from '../../shared/http/route-definition.ts';

export interface ThrottleLimits {
  rate: number;
  burst: number;
}

export interface StratusHttpApiProps {
  /** Each function with the routes it serves. */
  functions: ReadonlyArray<{ id: string; routes: readonly RouteDefinition[]; handler: IFunction }>;
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

const apiGatewayAuthorizerReason =
  'Authentication is not an API Gateway authorizer by design: every route verifies the bearer token in the handler factory (shared/http/handler.ts) before any handler logic runs. One check is shared by Lambda and the local server, rejections come in the API own JSON error format (401, where HTTP API authorizers answer 403), and another workspace resources answer 404, not 403.';

export { routeKey };

/**
 * The HTTP API: one route per route-table entry; one integration and one
 * invoke permission per function, shared by the routes it serves (a
 * per-route permission would cost a resource per route against
 * CloudFormation's 500); a `$default` stage with a stage-wide throttle, a
 * tighter throttle on ingest routes, and JSON access logs without credentials.
 */
export class StratusHttpApi extends Construct {
  readonly api: HttpApi;
  readonly stage: HttpStage;
  readonly accessLogs: LogGroup;

  constructor(scope: Construct, id: string, props: StratusHttpApiProps) {
    super(scope, id);
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

    const routeSettings: Record<string, { ThrottlingRateLimit: number; ThrottlingBurstLimit: number }> = {};
    for (const { id, routes, handler } of props.functions) {
      // One integration object per function: CDK creates its resource once and,
      // with the permission scoped to this API rather than to a route, one permission.
      const integration = new HttpLambdaIntegration(`${id}Integration`, handler, { scopePermissionToRoute: false });
      for (const route of routes) {
        const [httpRoute] = this.api.addRoutes({
          path: route.path,
          methods: [HttpMethod[route.method]],
          integration,
        }) as [HttpRoute];
        Validations.of(httpRoute).acknowledge({ id: 'AwsSolutions-APIG4', reason: apiGatewayAuthorizerReason });
        if (route.ingest) {
          routeSettings[routeKey(route)] = {
            ThrottlingRateLimit: props.ingestThrottle.rate,
            ThrottlingBurstLimit: props.ingestThrottle.burst,
          };
          // A stage's route settings name routes that must already exist.
          this.stage.node.addDependency(httpRoute);
        }
      }
    }
    if (Object.keys(routeSettings).length > 0) {
      (this.stage.node.defaultChild as CfnStage).routeSettings = routeSettings;
    }
  }

  /** The stage's invoke URL, ending in a slash. */
  get url(): string {
    return this.stage.url;
  }
}
