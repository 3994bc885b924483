import { App } from 'aws-cdk-lib';
import { beforeAll, describe, expect, test } from 'vitest';
import { routeKey } from '../../cdk/constructs/http-api.ts';
import { readStackSettings } from '../../cdk/stack-config.ts';
import { StratusStack } from '../../cdk/stratus-stack.ts';
import { routeList } from '../../shared/http/route-table.ts';
import { flatTemplate, logicalId, noBundling } from './support.ts';

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

describe('a stack with every option overridden', () => {
  let stack: StratusStack;
  let json: { Resources: Record<string, any> };
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
    });
    stack = new StratusStack(app, 'Throwaway', { settings });
    json = flatTemplate(stack);
  });

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
        route.operationId === 'logMetrics' ? 20 : 5,
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

  test('CORS for the web UI on the bucket and the API, for the given origins only', () => {
    const bucketCors = json.Resources[logicalId(stack, stack.artifacts.bucket)].Properties.CorsConfiguration;
    expect(bucketCors.CorsRules).toEqual([
      expect.objectContaining({ AllowedOrigins: origins, AllowedMethods: ['GET', 'PUT', 'HEAD'] }),
    ]);
    const apiCors = json.Resources[logicalId(stack, stack.api.api)].Properties.CorsConfiguration;
    expect(apiCors.AllowOrigins).toEqual(origins);
    expect(apiCors.AllowHeaders).toEqual(expect.arrayContaining(['authorization', 'content-type']));
    expect(apiCors.AllowCredentials).toBeUndefined();
  });
});
