import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { AwsSolutionsChecks } from 'cdk-nag';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ArtifactsBucket } from '../../cdk/constructs/artifacts-bucket.ts';
import { RouteFunction } from '../../cdk/constructs/route-function.ts';
import { TrackingTable } from '../../cdk/constructs/tracking-table.ts';
import type { RouteDefinition } from '../../shared/http/route-definition.ts';
import { routes } from '../../shared/http/route-table.ts';
import { logicalId, noBundling } from './support.ts';
import { MAX_METRIC_INDEX_SLOTS } from '../../shared/storage/table-definition.ts';

/**
 * RouteFunction on its own: with a route that declares S3 actions (so bucket
 * grants are covered before any real route has them), and once really bundled,
 * to prove the ESM bundle loads.
 */
function routeStack(app: App, route: RouteDefinition) {
  const stack = new Stack(app, 'RouteOnly');
  const table = new TrackingTable(stack, 'Tracking', {
    pointInTimeRecovery: true,
    deletionProtection: true,
    removalPolicy: RemovalPolicy.RETAIN,
    metricIndexSlots: MAX_METRIC_INDEX_SLOTS,
  });
  const artifacts = new ArtifactsBucket(stack, 'Artifacts', {
    removalPolicy: RemovalPolicy.RETAIN,
    corsOrigins: [],
    abortMultipartUploadDays: 2,
    noncurrentVersionDays: 30,
    accessLogDays: 90,
  });
  const routeFunction = new RouteFunction(stack, 'Route', {
    routes: [route],
    table,
    bucket: artifacts.bucket,
    pageTokenSecret: Secret.fromSecretNameV2(stack, 'PageTokens', 'page-tokens'),
    environment: { STRATUS_TABLE_NAME: table.table.tableName },
    reservedConcurrency: undefined,
    logRetention: RetentionDays.ONE_MONTH,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  return { stack, artifacts, routeFunction };
}

describe('a route that declares bucket actions', () => {
  const route: RouteDefinition = {
    ...routes.getRun,
    operationId: 'presignDownload',
    bucket: { actions: ['GetObject', 'PutObject'] },
  };

  test('gets exactly those actions on the bucket’s objects, acknowledged for cdk-nag with a reason', () => {
    const { stack, artifacts, routeFunction } = routeStack(new App({ context: noBundling }), route);
    const role = Template.fromStack(stack).toJSON().Resources[logicalId(stack, routeFunction.role)];
    const statements = role.Properties.Policies[0].PolicyDocument.Statement;
    const bucketArn = { 'Fn::GetAtt': [logicalId(stack, artifacts.bucket), 'Arn'] };
    expect(statements).toContainEqual({
      Effect: 'Allow',
      Action: ['s3:GetObject', 's3:PutObject'],
      Resource: { 'Fn::Join': ['', [bucketArn, '/*']] },
    });
    expect(statements.flatMap((statement: { Action: string[] }) => statement.Action)).not.toContain('s3:ListBucket');
    expect(new AwsSolutionsChecks().validateScope(stack).violations).toEqual([]);
  });
});

describe('the bundled function', () => {
  let outdir: string;
  let assetDirectory: string;

  beforeAll(() => {
    outdir = mkdtempSync(path.join(tmpdir(), 'stratus-cdk-'));
    const app = new App({ outdir });
    routeStack(app, routes.getOpenApi);
    app.synth();
    // The stack has one function, so one asset directory holds a bundle.
    const bundles = readdirSync(outdir).filter((name) => existsSync(path.join(outdir, name, 'index.mjs')));
    expect(bundles).toHaveLength(1);
    assetDirectory = path.join(outdir, bundles[0]!);
  });

  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  test('is one minified ESM file with a source map, the SDK inside it', () => {
    const bundle = readFileSync(path.join(assetDirectory, 'index.mjs'), 'utf8');
    expect(existsSync(path.join(assetDirectory, 'index.mjs.map'))).toBe(true);
    expect(bundle.startsWith("import { createRequire as stratusCreateRequire } from 'node:module';")).toBe(true);
    expect(bundle).not.toMatch(/from\s*["']@aws-sdk\//);
    // Minified: lines break only inside template literals, thousands of characters apart.
    expect(bundle.length / bundle.split('\n').length).toBeGreaterThan(1000);
  });

  test("takes credentials from the environment only, not the SDK's whole default chain", () => {
    const bundle = readFileSync(path.join(assetDirectory, 'index.mjs'), 'utf8');
    expect(bundle).toContain('@aws-sdk/credential-provider-env - fromEnv');
    for (const provider of ['ini', 'sso', 'process', 'web-identity', 'node']) {
      expect(bundle).not.toContain(`@aws-sdk/credential-provider-${provider} - `);
    }
  });

  test('loads under Node and exports the handler', () => {
    const script = `const m = await import(${JSON.stringify(path.join(assetDirectory, 'index.mjs'))}); console.log(typeof m.handler);`;
    const output = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      env: { PATH: process.env.PATH, STRATUS_TABLE_NAME: 'stratus-test', AWS_REGION: 'us-east-1' },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    expect(output.trim()).toBe('function');
  });
});
