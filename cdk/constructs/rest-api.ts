import { createHash } from 'node:crypto';
import type { CfnResource as CfnAnyResource } from 'aws-cdk-lib';
import { Aws, Lazy, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { CfnAccount, CfnDeployment, CfnMethod, CfnResource, CfnRestApi, CfnStage } from 'aws-cdk-lib/aws-apigateway';
import { Metric, type MetricOptions } from 'aws-cdk-lib/aws-cloudwatch';
import { ManagedPolicy, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { CfnPermission, type IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { type RouteDefinition, routeKeys, routePaths } from '../../shared/http/route-definition.ts';
import { accessLogFields, apiGatewayAuthorizerReason, type StratusApi } from './api.ts';
import type { ThrottleLimits } from './http-api.ts';

export interface StratusRestApiProps {
  /** Every route the API will serve: the deployment is named after them, so a changed table redeploys. */
  routes: readonly RouteDefinition[];
  throttle: ThrottleLimits;
  ingestThrottle: ThrottleLimits;
  logRetention: RetentionDays;
  removalPolicy: RemovalPolicy;
  /** X-Ray tracing of the stage (`stratus:tracing`). */
  tracing: boolean;
}

/** The stage in every invoke URL: `https://<id>.execute-api.<region>.amazonaws.com/live/`. */
export const restStageName = 'live';

/** A REST API has no route key; its access log names the resource path instead. */
export const restAccessLogFields = Object.fromEntries(
  Object.entries(accessLogFields).map(([name, value]) =>
    name === 'routeKey' ? ['resourcePath', '$context.resourcePath'] : [name, value],
  ),
);

/**
 * The routes behind an API Gateway REST API (v1) instead of an HTTP API
 * (`stratus:apiType=rest`): LocalStack's free tier serves REST APIs, not HTTP
 * APIs, so this is what `cdklocal deploy` can run. Same routes, same
 * functions (which take either kind of event, shared/http/rest-event.ts), the
 * same throttles and JSON access logs; Lambda proxy integrations, no
 * authorizer (the handlers check tokens), every media type passed as bytes.
 *
 * Written with the CloudFormation-level constructs: the route groups (nested
 * stacks) put their methods on the API's resources, which live here, and the
 * deployment, here too, waits for those nested stacks.
 */
export class StratusRestApi extends Construct implements StratusApi {
  readonly api: CfnRestApi;
  readonly stage: CfnStage;
  readonly deployment: CfnDeployment;
  readonly accessLogs: LogGroup;
  private readonly apiName: string;
  private readonly ingestThrottle: ThrottleLimits;
  /** The API's resources by path; the root is the API's own. */
  private readonly resources = new Map<string, { construct: Construct; id: string }>();
  private readonly methodSettings: CfnStage.MethodSettingProperty[];

  constructor(scope: Construct, id: string, props: StratusRestApiProps) {
    super(scope, id);
    this.ingestThrottle = props.ingestThrottle;
    this.apiName = `${Stack.of(this).stackName}-api`;
    this.api = new CfnRestApi(this, 'Api', {
      name: this.apiName,
      description: 'Stratus experiment tracking API (REST API)',
      endpointConfiguration: { types: ['REGIONAL'] },
      // Request bodies reach the handlers as the client sent them (base64), as over an HTTP API.
      binaryMediaTypes: ['*/*'],
    });
    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions-APIG2',
      reason:
        'Requests are validated in the handler factory against the route table schemas (zod), which answers 4xx naming the field in the API own error format; API Gateway request validators would answer in theirs, and only for what a model can express.',
    });
    this.resources.set('', { construct: this.api, id: this.api.attrRootResourceId });

    // REST APIs write access and execution logs through one role per account and region, set in
    // API Gateway's account settings. Set here (as CDK's RestApi does) and kept on removal: other
    // APIs of the account may log through it.
    const cloudWatchRole = new Role(this, 'CloudWatchRole', {
      assumedBy: new ServicePrincipal('apigateway.amazonaws.com'),
      description: 'API Gateway (account-wide): writes REST API access and execution logs',
      managedPolicies: [ManagedPolicy.fromAwsManagedPolicyName('service-role/AmazonAPIGatewayPushToCloudWatchLogs')],
    });
    cloudWatchRole.applyRemovalPolicy(RemovalPolicy.RETAIN);
    Validations.of(cloudWatchRole).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      reason:
        'AmazonAPIGatewayPushToCloudWatchLogs is the policy AWS made for exactly this account-wide role; API Gateway creates and names the log groups it writes, so no narrower resource list exists.',
    });
    const account = new CfnAccount(this, 'Account', { cloudWatchRoleArn: cloudWatchRole.roleArn });
    account.applyRemovalPolicy(RemovalPolicy.RETAIN);

    this.accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: props.logRetention,
      removalPolicy: props.removalPolicy,
    });

    this.deployment = new CfnDeployment(this, 'Deployment', {
      restApiId: this.api.ref,
      description: 'Stratus routes',
    });
    // A deployment is a snapshot: a new logical id whenever the routes change makes CloudFormation
    // take a new one (and move the stage to it) rather than keep serving the old routes.
    this.deployment.overrideLogicalId(`${Stack.of(this).getLogicalId(this.deployment)}${routesDigest(props.routes)}`);

    this.methodSettings = [
      {
        httpMethod: '*',
        resourcePath: '/*',
        throttlingRateLimit: props.throttle.rate,
        throttlingBurstLimit: props.throttle.burst,
        // Execution logs of failures only, never request or response bodies.
        loggingLevel: 'ERROR',
        dataTraceEnabled: false,
        metricsEnabled: false,
      },
    ];
    this.stage = new CfnStage(this, 'Stage', {
      restApiId: this.api.ref,
      deploymentId: this.deployment.ref,
      stageName: restStageName,
      description: 'Stratus',
      tracingEnabled: props.tracing,
      accessLogSetting: {
        destinationArn: this.accessLogs.logGroupArn,
        format: JSON.stringify(restAccessLogFields),
      },
      methodSettings: Lazy.any({ produce: () => this.methodSettings }),
    });
    // Logging settings are refused until the account has its CloudWatch role.
    this.stage.node.addDependency(account);
    Validations.of(this.stage).acknowledge({
      id: 'AwsSolutions-APIG3',
      reason:
        'No AWS WAF web ACL by default: it is billed per month and per request, idle or not (docs/cost.md), and the HTTP API default cannot have one; the stage throttles, and every route authenticates and bounds its input. Associate a web ACL with the stage if your account requires one.',
    });
  }

  serve(scope: Construct, functionId: string, routes: readonly RouteDefinition[], handler: IFunction): void {
    // One invoke permission per function, for any method and stage of this API.
    new CfnPermission(scope, `${functionId}RestInvoke`, {
      action: 'lambda:InvokeFunction',
      functionName: handler.functionArn,
      principal: 'apigateway.amazonaws.com',
      sourceArn: `arn:${Aws.PARTITION}:execute-api:${Aws.REGION}:${Aws.ACCOUNT_ID}:${this.api.ref}/*/*/*`,
    });
    for (const route of routes) {
      routePaths(route).forEach((path, index) => this.method(scope, route, path, index === 0, handler));
    }
    // The deployment snapshots the methods, so it waits for the nested stack that holds them.
    const nested = (Stack.of(scope) as Stack & { nestedStackResource?: CfnAnyResource }).nestedStackResource;
    this.deployment.node.addDependency(nested ?? scope);
  }

  /** The method serving `route` at `path`: its own (the id it always had) or an alias (the id ends in "Alias"). */
  private method(scope: Construct, route: RouteDefinition, path: string, own: boolean, handler: IFunction): void {
    const method = new CfnMethod(scope, `${route.operationId}Method${own ? '' : 'Alias'}`, {
      restApiId: this.api.ref,
      resourceId: this.resourceFor(path),
      httpMethod: route.method,
      authorizationType: 'NONE',
      integration: {
        type: 'AWS_PROXY',
        integrationHttpMethod: 'POST',
        uri: `arn:${Aws.PARTITION}:apigateway:${Aws.REGION}:lambda:path/2015-03-31/functions/${handler.functionArn}/invocations`,
      },
    });
    for (const rule of ['AwsSolutions-APIG4', 'AwsSolutions-COG4']) {
      Validations.of(method).acknowledge({ id: rule, reason: apiGatewayAuthorizerReason });
    }
    if (route.ingest) {
      this.methodSettings.push({
        httpMethod: route.method,
        // Slashes in a method setting's resource path are written ~1.
        resourcePath: `/${path.replace(/\//g, '~1')}`,
        throttlingRateLimit: this.ingestThrottle.rate,
        throttlingBurstLimit: this.ingestThrottle.burst,
      });
    }
  }

  /** The id of the API resource at `path`, made (with its parents) on first use. */
  private resourceFor(path: string): string {
    const key = path.replace(/\/$/, '');
    const known = this.resources.get(key);
    if (known) return known.id;
    const slash = key.lastIndexOf('/');
    const parentPath = key.slice(0, slash);
    this.resourceFor(parentPath);
    const parent = this.resources.get(parentPath)!;
    const pathPart = key.slice(slash + 1);
    const resource = new CfnResource(parent.construct, `Path${pathPart.replace(/[^A-Za-z0-9]/g, '')}`, {
      restApiId: this.api.ref,
      parentId: parent.id,
      pathPart,
    });
    this.resources.set(key, { construct: resource, id: resource.ref });
    return resource.ref;
  }

  get url(): string {
    return `https://${this.api.ref}.execute-api.${Aws.REGION}.${Aws.URL_SUFFIX}/${restStageName}/`;
  }

  private metric(metricName: string, props?: MetricOptions): Metric {
    return new Metric({
      namespace: 'AWS/ApiGateway',
      metricName,
      dimensionsMap: { ApiName: this.apiName, Stage: restStageName },
      ...props,
    });
  }

  metricCount(props?: MetricOptions) {
    return this.metric('Count', { statistic: 'SampleCount', ...props });
  }

  metricClientError(props?: MetricOptions) {
    return this.metric('4XXError', { statistic: 'Sum', ...props });
  }

  metricServerError(props?: MetricOptions) {
    return this.metric('5XXError', { statistic: 'Sum', ...props });
  }

  metricLatency(props?: MetricOptions) {
    return this.metric('Latency', props);
  }
}

/** Eight hex digits that change with any route's method, path or function. */
function routesDigest(routes: readonly RouteDefinition[]): string {
  const lines = routes.flatMap((route) => routeKeys(route).map((key) => `${key} ${route.entry}`)).sort();
  return createHash('sha256').update(lines.join('\n')).digest('hex').slice(0, 8).toUpperCase();
}
