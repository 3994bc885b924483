import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type { CfnRestApi } from 'aws-cdk-lib/aws-apigateway';
import { beforeAll, describe, expect, test } from 'vitest';
import { restAccessLogFields, restStageName, StratusRestApi } from '../../cdk/constructs/rest-api.ts';
import { readStackSettings } from '../../cdk/stack-config.ts';
import { createStratusApp, type StratusStack } from '../../cdk/stratus-stack.ts';
import { routeKeys, routePaths, routesByEntry } from '../../shared/http/route-definition.ts';
import { routeList } from '../../shared/http/route-table.ts';
import { flatTemplate, logicalId, noBundling, resourcesOfType, type TemplateJson, templatesOf } from './support.ts';

/**
 * `stratus:apiType=rest`: the same routes behind an API Gateway REST API (v1),
 * for cdklocal on LocalStack's free tier. It cannot be deployed here (no
 * Docker for LocalStack's Lambda), so the template is checked as the HTTP API's
 * is: every route once, on the function of its entry, no authorizer, the
 * throttles and access logs, and cdk-nag (cfn-lint.test.ts lints it too).
 */
const restContext = { 'stratus:apiType': 'rest', 'stratus:webUi': false };

let stack: StratusStack;
let json: TemplateJson;

beforeAll(() => {
  const created = createStratusApp({ ...noBundling, ...restContext, 'stratus:throttleRate': 300 });
  stack = created.stack;
  // cdk-nag runs in synth: an unacknowledged finding throws here.
  created.app.synth();
  json = flatTemplate(stack);
}, 240_000);

const ofType = (type: string) => resourcesOfType(json, type);

/** Each API resource's full path, from its chain of parents up to the API's root. */
function resourcePaths(): Map<string, string> {
  const resources = ofType('AWS::ApiGateway::Resource');
  const rootOf = (ref: any) => JSON.stringify(ref).includes('RootResourceId');
  const paths = new Map<string, string>();
  const pathOf = (id: string): string => {
    const known = paths.get(id);
    if (known !== undefined) return known;
    const { ParentId, PathPart } = resources[id].Properties;
    const path = `${rootOf(ParentId) ? '' : pathOf(ParentId.Ref)}/${PathPart}`;
    paths.set(id, path);
    return path;
  };
  for (const id of Object.keys(resources)) pathOf(id);
  return paths;
}

describe('the REST API serves the route table', () => {
  test('one method per path a route is served at (an MLflow route also at its /ajax-api alias), on the function of its entry, through a Lambda proxy', () => {
    const paths = resourcePaths();
    const methods = Object.values(ofType('AWS::ApiGateway::Method'));
    const servedAt = routeList.flatMap((route) => routePaths(route).map((path) => [route, path] as const));
    expect(servedAt.length).toBeGreaterThan(routeList.length);
    expect(methods).toHaveLength(servedAt.length);
    const served = methods.map(
      (method) => `${method.Properties.HttpMethod} ${paths.get(method.Properties.ResourceId.Ref)}`,
    );
    expect(served.sort()).toEqual(routeList.flatMap(routeKeys).sort());

    for (const [route, path] of servedAt) {
      const method = methods.find(
        (each) => each.Properties.HttpMethod === route.method && paths.get(each.Properties.ResourceId.Ref) === path,
      )!;
      const functionId = logicalId(stack, stack.functions.get(route.operationId)!.function);
      expect(method.Properties.AuthorizationType, route.operationId).toBe('NONE');
      expect(method.Properties.Integration.Type).toBe('AWS_PROXY');
      expect(method.Properties.Integration.IntegrationHttpMethod).toBe('POST');
      expect(JSON.stringify(method.Properties.Integration.Uri), route.operationId).toContain(
        `{"Fn::GetAtt":["${functionId}","Arn"]},"/invocations"`,
      );
    }
  });

  test('no HTTP API, no CORS preflight methods, no API keys or authorizers', () => {
    const types = new Set(Object.values(json.Resources).map((resource) => resource.Type));
    for (const type of types) expect(type.startsWith('AWS::ApiGatewayV2::'), type).toBe(false);
    for (const type of ['AWS::ApiGateway::Authorizer', 'AWS::ApiGateway::ApiKey', 'AWS::ApiGateway::UsagePlan']) {
      expect(types.has(type), type).toBe(false);
    }
    const options = Object.values(ofType('AWS::ApiGateway::Method')).filter(
      (method) => method.Properties.HttpMethod === 'OPTIONS',
    );
    expect(options).toEqual([]);
  });

  test('one invoke permission per function, for any method and stage of this API', () => {
    const apiId = stack.getLogicalId(stack.api.api as CfnRestApi);
    const permissions = Object.values(ofType('AWS::Lambda::Permission'));
    expect(permissions).toHaveLength(routesByEntry(routeList).size);
    for (const permission of permissions) {
      expect(permission.Properties.Principal).toBe('apigateway.amazonaws.com');
      expect(JSON.stringify(permission.Properties.SourceArn)).toContain(`{"Ref":"${apiId}"},"/*/*/*"`);
    }
  });

  test('request bodies reach the handlers as sent: every media type is passed as bytes', () => {
    const api = json.Resources[stack.getLogicalId(stack.api.api as CfnRestApi)].Properties;
    expect(api.BinaryMediaTypes).toEqual(['*/*']);
    expect(api.EndpointConfiguration).toEqual({ Types: ['REGIONAL'] });
  });
});

describe('stage and deployment', () => {
  const stage = () => Object.values(ofType('AWS::ApiGateway::Stage'))[0]!.Properties;

  test('the stage throttles every method, ingest routes tighter, and logs errors without bodies', () => {
    const [everything, ...perRoute] = stage().MethodSettings;
    expect(everything).toEqual({
      HttpMethod: '*',
      ResourcePath: '/*',
      ThrottlingRateLimit: 300,
      ThrottlingBurstLimit: 400,
      LoggingLevel: 'ERROR',
      DataTraceEnabled: false,
      MetricsEnabled: false,
    });
    const ingest = routeList.filter((route) => route.ingest);
    expect(ingest.length).toBeGreaterThan(0);
    const ingestPaths = ingest.flatMap((route) => routePaths(route).map((path) => [route, path] as const));
    expect(perRoute).toEqual(
      expect.arrayContaining(
        ingestPaths.map(([route, path]) => ({
          HttpMethod: route.method,
          ResourcePath: `/${path.replace(/\//g, '~1')}`,
          ThrottlingRateLimit: 50,
          ThrottlingBurstLimit: 100,
        })),
      ),
    );
    expect(perRoute).toHaveLength(ingestPaths.length);
  });

  test('JSON access logs without headers, query strings or authorizer values', () => {
    const { AccessLogSetting } = stage();
    expect(JSON.parse(AccessLogSetting.Format)).toEqual(restAccessLogFields);
    expect(AccessLogSetting.Format).not.toMatch(/authorization|header|querystring|authorizer/i);
    expect(AccessLogSetting.DestinationArn).toEqual({
      'Fn::GetAtt': [logicalId(stack, stack.api.accessLogs), 'Arn'],
    });
    expect(stage().StageName).toBe(restStageName);
  });

  test('the deployment waits for every route group, and the stage for the account logging role', () => {
    const parent = templatesOf(stack)[0]!.json;
    const [deploymentId, deployment] = Object.entries(resourcesOfType(parent, 'AWS::ApiGateway::Deployment'))[0]!;
    const nestedResources = Object.keys(resourcesOfType(parent, 'AWS::CloudFormation::Stack'));
    expect(nestedResources).toHaveLength(stack.routeGroups.length);
    expect([...deployment.DependsOn].sort()).toEqual(nestedResources.sort());
    const stageResource = Object.values(resourcesOfType(parent, 'AWS::ApiGateway::Stage'))[0]!;
    expect(stageResource.Properties.DeploymentId).toEqual({ Ref: deploymentId });
    expect(stageResource.DependsOn).toEqual(Object.keys(resourcesOfType(parent, 'AWS::ApiGateway::Account')));
  });

  test('a change to the route table is a new deployment (a deployment is a snapshot of the methods)', () => {
    const deploymentIdWith = (routes: typeof routeList) => {
      const scratch = new Stack(new App(), 'Scratch');
      const api = new StratusRestApi(scratch, 'Rest', {
        routes,
        throttle: { rate: 1, burst: 1 },
        ingestThrottle: { rate: 1, burst: 1 },
        logRetention: 7,
        removalPolicy: RemovalPolicy.DESTROY,
        tracing: false,
      });
      return scratch.resolve(api.deployment.logicalId) as string;
    };
    const all = deploymentIdWith(routeList);
    expect(deploymentIdWith(routeList)).toBe(all);
    expect(deploymentIdWith(routeList.slice(1))).not.toBe(all);
    const moved = routeList.map((route, index) => (index === 0 ? { ...route, path: `${route.path}/moved` } : route));
    expect(deploymentIdWith(moved)).not.toBe(all);
  });
});

describe('alarms and dashboard read the REST API metrics', () => {
  test('5xx rate and p99 latency alarms use AWS/ApiGateway by API name and stage', () => {
    const alarms = Object.entries(ofType('AWS::CloudWatch::Alarm'));
    const rate = alarms.find(([id]) => id.includes('ApiServerErrorRate'))![1].Properties;
    const metrics = rate.Metrics.filter((query: any) => query.MetricStat).map((query: any) => query.MetricStat.Metric);
    expect(metrics.map((metric: any) => metric.MetricName).sort()).toEqual(['5XXError', 'Count']);
    for (const metric of metrics) {
      expect(metric.Namespace).toBe('AWS/ApiGateway');
      expect(metric.Dimensions).toEqual([
        { Name: 'ApiName', Value: `${stack.stackName}-api` },
        { Name: 'Stage', Value: restStageName },
      ]);
    }
    const latency = alarms.find(([id]) => id.includes('ApiLatencyP99'))![1].Properties;
    expect(latency).toMatchObject({ Namespace: 'AWS/ApiGateway', MetricName: 'Latency', ExtendedStatistic: 'p99' });
  });
});

describe('settings', () => {
  test('a REST API with browser origins is refused, naming the keys to set', () => {
    expect(() => readStackSettings({ 'stratus:apiType': 'rest' })).toThrow(/stratus:webUi=false/);
    expect(() => readStackSettings({ ...restContext, 'stratus:corsOrigins': 'https://ui.example.com' })).toThrow(
      /stratus:corsOrigins/,
    );
    expect(() => readStackSettings({ 'stratus:apiType': 'soap' })).toThrow(/stratus:apiType/);
    expect(readStackSettings(restContext).apiType).toBe('rest');
    expect(readStackSettings({}).apiType).toBe('http');
  });

  test('cdk-nag AwsSolutions: no unacknowledged finding, with tracing and the dashboard on too', () => {
    const { app, stack: traced } = createStratusApp({
      ...noBundling,
      ...restContext,
      'stratus:tracing': true,
      'stratus:dashboard': true,
    });
    // The app runs the AwsSolutions checks in synth and throws on any unacknowledged finding.
    expect(() => app.synth()).not.toThrow();
    const stageOf = flatTemplate(traced);
    expect(Object.values(resourcesOfType(stageOf, 'AWS::ApiGateway::Stage'))[0]!.Properties.TracingEnabled).toBe(true);
  }, 240_000);

  test('every template stays well under CloudFormation 500 resources', () => {
    for (const { stack: each, json: template } of templatesOf(stack)) {
      expect(Object.keys(template.Resources).length, each.node.id).toBeLessThanOrEqual(400);
    }
  });
});
