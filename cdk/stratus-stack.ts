import { App, CfnOutput, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { Construct } from 'constructs';
import { routeList } from '../shared/http/routes.ts';
import { ArtifactsBucket } from './constructs/artifacts-bucket.ts';
import { StratusHttpApi } from './constructs/http-api.ts';
import { RouteFunction } from './constructs/route-function.ts';
import { TrackingTable } from './constructs/tracking-table.ts';
import { readStackSettings, type StackSettings } from './stack-config.ts';

export interface StratusStackProps extends StackProps {
  settings: StackSettings;
}

/**
 * Everything Stratus runs on: the tracking table, the artifacts bucket, one
 * function per route of shared/http/routes.ts and the HTTP API in front of
 * them. Routes are never listed here: a route added to the table gets its
 * function, its IAM policy and its API route on the next deploy.
 */
export class StratusStack extends Stack {
  readonly table: TrackingTable;
  readonly artifacts: ArtifactsBucket;
  readonly api: StratusHttpApi;
  readonly functions: ReadonlyMap<string, RouteFunction>;

  constructor(scope: Construct, id: string, props: StratusStackProps) {
    super(scope, id, props);
    const { settings } = props;
    const removalPolicy = settings.removalPolicy === 'destroy' ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;
    const logRetention = settings.logRetentionDays as RetentionDays;

    this.table = new TrackingTable(this, 'Tracking', {
      pointInTimeRecovery: settings.pointInTimeRecovery,
      deletionProtection: settings.deletionProtection,
      removalPolicy,
    });

    this.artifacts = new ArtifactsBucket(this, 'Artifacts', {
      removalPolicy,
      corsOrigins: settings.corsOrigins,
      abortMultipartUploadDays: settings.abortMultipartUploadDays,
      noncurrentVersionDays: settings.noncurrentVersionDays,
      accessLogDays: Math.max(settings.logRetentionDays, 90),
    });

    // Every function gets the same configuration, so that shared/config.ts can
    // require a variable without each route having to ask for it.
    const environment = {
      STRATUS_TABLE_NAME: this.table.table.tableName,
      STRATUS_ARTIFACTS_BUCKET: this.artifacts.bucket.bucketName,
      STRATUS_ARTIFACT_URL_TTL_SECONDS: String(settings.presignExpirySeconds),
      STRATUS_LOG_LEVEL: settings.logLevel,
      STRATUS_AUTH_CACHE_SECONDS: String(settings.authCacheSeconds),
    };

    const routeFunctions = routeList.map((route) => ({
      route,
      routeFunction: new RouteFunction(this, route.operationId, {
        route,
        table: this.table,
        bucket: this.artifacts.bucket,
        environment,
        reservedConcurrency: settings.reservedConcurrencyByOperation[route.operationId] ?? settings.reservedConcurrency,
        logRetention,
        removalPolicy,
      }),
    }));
    this.functions = new Map(routeFunctions.map(({ route, routeFunction }) => [route.operationId, routeFunction]));

    this.api = new StratusHttpApi(this, 'Http', {
      routes: routeFunctions.map(({ route, routeFunction }) => ({ route, handler: routeFunction.function })),
      throttle: { rate: settings.throttleRate, burst: settings.throttleBurst },
      ingestThrottle: { rate: settings.ingestThrottleRate, burst: settings.ingestThrottleBurst },
      corsOrigins: settings.corsOrigins,
      logRetention,
      removalPolicy,
    });

    new CfnOutput(this, 'ApiUrl', { value: this.api.url, description: 'Base URL; routes start with api/v1/' });
    new CfnOutput(this, 'TableName', { value: this.table.table.tableName });
    new CfnOutput(this, 'BucketName', { value: this.artifacts.bucket.bucketName });
    new CfnOutput(this, 'BootstrapAdminCommand', {
      value: `npx tsx scripts/bootstrap-admin.ts --table ${this.table.table.tableName} --region ${this.region}`,
      description: 'Run once after the first deploy: creates the first workspace and prints its admin token',
    });
  }
}

/**
 * Builds the app as `cdk synth` does: the stack from the app's context, with
 * the AWS Solutions checks of cdk-nag, whose unacknowledged findings fail the
 * synth. Tests call this with their own context.
 */
export function createStratusApp(context: Record<string, unknown> = {}, stackProps: StackProps = {}) {
  const app = new App({ context });
  const settings = readStackSettings(app.node.getAllContext());
  const stack = new StratusStack(app, settings.stackName, { ...stackProps, settings });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack, settings };
}
