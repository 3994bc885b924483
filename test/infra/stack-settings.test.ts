import { readFileSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import { beforeAll, describe, expect, test } from 'vitest';
import { routeKey } from '../../cdk/constructs/http-api.ts';
import { readStackSettings, settingKeys } from '../../cdk/stack-config.ts';
import { StratusStack } from '../../cdk/stratus-stack.ts';
import { routeList } from '../../shared/http/route-table.ts';
import { flatTemplate, logicalId, noBundling, resourcesOfType, type TemplateJson } from './support.ts';
import { AwsSolutionsChecks } from 'cdk-nag';

describe('reading settings from CDK context', () => {
  test('defaults keep data safe: PITR and deletion protection on, resources retained', () => {
    const settings = readStackSettings({});
    expect(settings).toMatchObject({
      pointInTimeRecovery: true,
      deletionProtection: true,
      removalPolicy: 'retain',
      presignExpirySeconds: 900,
      corsOrigins: [],
      logRetentionDays: 30,
    });
    expect(settings.reservedConcurrency).toBeUndefined();
    expect(settings.reservedConcurrencyByOperation).toEqual({});
  });

  test('command-line strings are coerced; other context keys are ignored', () => {
    const settings = readStackSettings({
      'stratus:pointInTimeRecovery': 'false',
      'stratus:reservedConcurrency': '5',
      'stratus:reservedConcurrency:logMetrics': '20',
      'stratus:corsOrigins': 'https://ui.example.com,http://localhost:5173',
      'aws:cdk:bundling-stacks': [],
    });
    expect(settings.pointInTimeRecovery).toBe(false);
    expect(settings.reservedConcurrency).toBe(5);
    expect(settings.reservedConcurrencyByOperation).toEqual({ logMetrics: 20 });
    expect(settings.corsOrigins).toEqual(['https://ui.example.com', 'http://localhost:5173']);
  });

  test.each([
    [{ 'stratus:deletionProtecton': false }, /unknown context key stratus:deletionProtecton/],
    [{ 'stratus:deletionProtection': 'no' }, /stratus:deletionProtection/],
    [{ 'stratus:presignExpirySeconds': 7200 }, /stratus:presignExpirySeconds/],
    [{ 'stratus:logRetentionDays': 10 }, /stratus:logRetentionDays/],
    [{ 'stratus:corsOrigins': 'https://ui.example.com/app' }, /stratus:corsOrigins/],
    [{ 'stratus:reservedConcurrency:logMetric': 5 }, /no route has operationId 'logMetric'/],
    [{ 'stratus:reservedConcurrency:logMetrics': 0 }, /stratus:reservedConcurrency:logMetrics/],
    [{ 'stratus:ingestThrottleRate': 500 }, /ingestThrottleRate must not exceed/],
  ])('%j is refused with a message naming the key', (context, message) => {
    expect(() => readStackSettings(context)).toThrow(message);
  });
});

test('docs/deploy.md documents every context key the app reads', () => {
  const deployDoc = readFileSync('docs/deploy.md', 'utf8');
  for (const key of settingKeys) expect(deployDoc, key).toContain(`\`${key}\``);
});

describe('a stack with every option overridden', () => {
  let stack: StratusStack;
  let json: TemplateJson;
  const origins = ['https://ui.example.com'];

  beforeAll(() => {
    const app = new App({ context: noBundling });
    const settings = readStackSettings({
      'stratus:pointInTimeRecovery': false,
      'stratus:deletionProtection': false,
      'stratus:removalPolicy': 'destroy',
      'stratus:reservedConcurrency': 5,
      'stratus:reservedConcurrency:logMetrics': 20,
      'stratus:throttleRate': 1000,
      'stratus:throttleBurst': 2000,
      'stratus:ingestThrottleRate': 10,
      'stratus:ingestThrottleBurst': 20,
      'stratus:presignExpirySeconds': 300,
      'stratus:corsOrigins': origins,
      'stratus:logRetentionDays': 7,
      'stratus:abortMultipartUploadDays': 1,
      'stratus:noncurrentVersionDays': 3,
      'stratus:alarmEmail': 'oncall@example.com',
      'stratus:functionAlarms': 'false',
      'stratus:latencyAlarmMs': 1500,
      'stratus:dashboard': 'true',
      'stratus:tracing': true,
      'stratus:webUi': false,
    });
    stack = new StratusStack(app, 'Throwaway', { settings });
    json = flatTemplate(stack);
  }, 240_000);

  test('the table follows them', () => {
    const table = json.Resources[logicalId(stack, stack.table.table)];
    expect(table.Properties.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: false });
    expect(table.Properties.DeletionProtectionEnabled).toBe(false);
    expect(table.DeletionPolicy).toBe('Delete');
  });

  test('reserved concurrency applies to every function, with per-operation overrides', () => {
    for (const route of routeList) {
      const properties = json.Resources[logicalId(stack, stack.functions.get(route.operationId)!.function)].Properties;
      expect(properties.ReservedConcurrentExecutions, route.operationId).toBe(
        route.entry === 'lambdas/log-metrics.ts' ? 20 : 5,
      );
      expect(properties.Environment.Variables.STRATUS_ARTIFACT_URL_TTL_SECONDS).toBe('300');
    }
  });

  test('throttles, log retention and bucket lifecycle follow them', () => {
    const stage = Object.values(json.Resources).find((r) => r.Type === 'AWS::ApiGatewayV2::Stage').Properties;
    expect(stage.DefaultRouteSettings).toEqual({ ThrottlingRateLimit: 1000, ThrottlingBurstLimit: 2000 });
    for (const route of routeList.filter((r) => r.ingest)) {
      expect(stage.RouteSettings[routeKey(route)]).toEqual({ ThrottlingRateLimit: 10, ThrottlingBurstLimit: 20 });
    }
    const logGroups = Object.values(json.Resources).filter((r) => r.Type === 'AWS::Logs::LogGroup');
    expect(logGroups.length).toBe(new Set(routeList.map((route) => route.entry)).size + 1);
    for (const group of logGroups) expect(group.Properties.RetentionInDays).toBe(7);
    const bucket = json.Resources[logicalId(stack, stack.artifacts.bucket)].Properties;
    expect(bucket.LifecycleConfiguration.Rules).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } }),
        expect.objectContaining({ NoncurrentVersionExpiration: { NoncurrentDays: 3 } }),
      ]),
    );
  });

  test('without the web UI: no distribution, no UI bucket, no upload', () => {
    expect(stack.web).toBeUndefined();
    for (const type of ['AWS::CloudFront::Distribution', 'Custom::CDKBucketDeployment']) {
      expect(Object.keys(resourcesOfType(json, type)), type).toEqual([]);
    }
    expect(json.Outputs.WebUrl).toBeUndefined();
  });

  test('CORS for a web UI elsewhere on the bucket and the API, for the given origins only', () => {
    const bucketCors = json.Resources[logicalId(stack, stack.artifacts.bucket)].Properties.CorsConfiguration;
    expect(bucketCors.CorsRules).toEqual([
      expect.objectContaining({ AllowedOrigins: origins, AllowedMethods: ['GET', 'PUT', 'HEAD'] }),
    ]);
    const apiCors = json.Resources[logicalId(stack, stack.api.api)].Properties.CorsConfiguration;
    expect(apiCors.AllowOrigins).toEqual(origins);
    expect(apiCors.AllowHeaders).toEqual(expect.arrayContaining(['authorization', 'content-type']));
    expect(apiCors.AllowCredentials).toBeUndefined();
  });

  test('alarms e-mail the address given, with the latency threshold given; no per-function alarms', () => {
    const subscriptions = Object.values(resourcesOfType(json, 'AWS::SNS::Subscription'));
    expect(subscriptions.map((subscription) => subscription.Properties)).toEqual([
      expect.objectContaining({ Protocol: 'email', Endpoint: 'oncall@example.com' }),
    ]);
    const alarms = Object.values(resourcesOfType(json, 'AWS::CloudWatch::Alarm'));
    expect(alarms).toHaveLength(5);
    const latency = alarms.find((alarm) => alarm.Properties.AlarmDescription.includes('#apilatencyp99'));
    expect(latency.Properties.Threshold).toBe(1500);
  });

  test('a dashboard, and X-Ray tracing with its grant in each inline policy', () => {
    expect(Object.keys(resourcesOfType(json, 'AWS::CloudWatch::Dashboard'))).toHaveLength(1);
    for (const resource of Object.values(resourcesOfType(json, 'AWS::Lambda::Function'))) {
      expect(resource.Properties.TracingConfig).toEqual({ Mode: 'Active' });
    }
    for (const role of Object.values(resourcesOfType(json, 'AWS::IAM::Role'))) {
      const statements = role.Properties.Policies.flatMap((policy: any) => policy.PolicyDocument.Statement);
      expect(statements).toContainEqual({
        Effect: 'Allow',
        Action: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'],
        Resource: '*',
      });
    }
    expect(Object.keys(resourcesOfType(json, 'AWS::IAM::Policy'))).toEqual([]);
  });

  test('cdk-nag AwsSolutions: no unacknowledged finding with every option on', () => {
    const stacks = [stack, ...stack.routeGroups];
    const violations = stacks.flatMap((each) => new AwsSolutionsChecks().validateScope(each).violations);
    // Point-in-time recovery is turned off in this stack on purpose (DDB3 says so).
    expect(violations.map((violation) => violation.ruleName).filter((rule) => rule !== 'AwsSolutions-DDB3')).toEqual(
      [],
    );
  });
});
