import { Duration, Lazy, type RemovalPolicy, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  type CfnStage,
  CorsHttpMethod,
  HttpApi,
  HttpMethod,
  HttpRoute,
  HttpRouteKey,
  HttpStage,
  LogGroupLogDestination,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { MetricOptions } from 'aws-cdk-lib/aws-cloudwatch';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { type RouteDefinition, routeKey, routePaths } from '../../shared/http/route-definition.ts';
import { accessLogFields, apiGatewayAuthorizerReason, type StratusApi } from './api.ts';

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

export { accessLogFields, apiGatewayAuthorizerReason, routeKey };

/**
 * The HTTP API and its `$default` stage: a stage-wide throttle, a tighter
 * throttle on ingest routes, and JSON access logs without credentials. The
 * routes themselves live with their functions in the route groups
 * (route-group.ts), which report each one here.
 */
export class StratusHttpApi extends Construct implements StratusApi {
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
              exposeHeaders: ['x-stratus-consumed-capacity', 'x-stratus-comparison-truncated', 'retry-after'],
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

  serve(scope: Construct, functionId: string, routes: readonly RouteDefinition[], handler: IFunction): void {
    // One integration object per function: CDK creates its resource once and,
    // with the permission scoped to the API rather than to a route, one permission.
    const integration = new HttpLambdaIntegration(`${functionId}Integration`, handler, {
      scopePermissionToRoute: false,
    });
    for (const route of routes) {
      routePaths(route).forEach((path, index) => {
        // The route's own path keeps its logical id; an alias's ends in "Alias", as no own id does.
        const httpRoute = new HttpRoute(scope, `${route.operationId}Route${index === 0 ? '' : 'Alias'}`, {
          httpApi: this.api,
          routeKey: HttpRouteKey.with(path, HttpMethod[route.method]),
          integration,
        });
        Validations.of(httpRoute).acknowledge({ id: 'AwsSolutions-APIG4', reason: apiGatewayAuthorizerReason });
        this.routeAdded(route, path, httpRoute);
      });
    }
  }

  /** Ingest routes get the tighter throttle, under every path they are served at. */
  private routeAdded(route: RouteDefinition, path: string, httpRoute: HttpRoute): void {
    if (!route.ingest) return;
    this.routeSettings[routeKey({ method: route.method, path })] = {
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

  metricCount(props?: MetricOptions) {
    return this.api.metricCount(props);
  }

  metricClientError(props?: MetricOptions) {
    return this.api.metricClientError(props);
  }

  metricServerError(props?: MetricOptions) {
    return this.api.metricServerError(props);
  }

  metricLatency(props?: MetricOptions) {
    return this.api.metricLatency(props);
  }
}
