import { App, CfnOutput, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { Construct } from 'constructs';
import type { RouteDefinition } from '../shared/http/route-definition.ts';
import { routeList } from '../shared/http/route-table.ts';
import { AlarmTopic, ServiceAlarms } from './constructs/alarms.ts';
import { ArtifactsBucket } from './constructs/artifacts-bucket.ts';
import { OperationsDashboard } from './constructs/dashboard.ts';
import { StratusHttpApi } from './constructs/http-api.ts';
import { type FunctionPlan, RouteGroup } from './constructs/route-group.ts';
import type { RouteFunction } from './constructs/route-function.ts';
import { TrackingTable } from './constructs/tracking-table.ts';
import { readStackSettings, type StackSettings } from './stack-config.ts';

export interface StratusStackProps extends StackProps {
  settings: StackSettings;
}

/**
 * Everything Stratus runs on: the tracking table, the artifacts bucket, one
 * function per entry of shared/http/route-table.ts (an entry serves one
 * operation's routes) and the HTTP API in front of them. Routes are never
 * listed here: a route added to the table gets its function (or joins its
 * entry's), its IAM grants and its API route on the next deploy.
 */
export class StratusStack extends Stack {
  readonly table: TrackingTable;
  readonly artifacts: ArtifactsBucket;
  readonly api: StratusHttpApi;
  /** The function serving each operation, by operationId (twins share one). */
  readonly functions: ReadonlyMap<string, RouteFunction>;
  /** The nested stacks holding the functions and their API routes. */
  readonly routeGroups: readonly RouteGroup[];
  readonly alarmTopic: AlarmTopic;

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
      // Request log lines with embedded metrics (shared/http/request-log.ts); one namespace per stack.
      STRATUS_METRICS_NAMESPACE: metricsNamespace(this.stackName),
    };

    this.api = new StratusHttpApi(this, 'Http', {
      throttle: { rate: settings.throttleRate, burst: settings.throttleBurst },
      ingestThrottle: { rate: settings.ingestThrottleRate, burst: settings.ingestThrottleBurst },
      corsOrigins: settings.corsOrigins,
      logRetention,
      removalPolicy,
    });

    this.alarmTopic = new AlarmTopic(this, 'Alarms', { email: settings.alarmEmail });
    new ServiceAlarms(this, 'ServiceAlarms', {
      action: this.alarmTopic.action,
      api: this.api.api,
      table: this.table.table,
      bucket: this.artifacts.bucket,
      serverErrorPercent: settings.serverErrorAlarmPercent,
      latencyMs: settings.latencyAlarmMs,
    });
    if (settings.dashboard) {
      new OperationsDashboard(this, 'Operations', {
        api: this.api.api,
        table: this.table.table,
        metricsNamespace: metricsNamespace(this.stackName),
        stackName: this.stackName,
      });
    }

    const functions = new Map<string, RouteFunction>();
    const groups: RouteGroup[] = [];
    for (const [group, plans] of functionPlansByGroup(routeList, settings)) {
      const routeGroup = new RouteGroup(this, group, {
        functions: plans,
        table: this.table,
        bucket: this.artifacts.bucket,
        api: this.api,
        environment,
        logRetention,
        removalPolicy,
        tracing: settings.tracing,
        alarms: settings.functionAlarms
          ? { action: this.alarmTopic.action, latencyMs: settings.latencyAlarmMs }
          : undefined,
      });
      for (const [operationId, routeFunction] of routeGroup.functions) functions.set(operationId, routeFunction);
      groups.push(routeGroup);
    }
    this.functions = functions;
    this.routeGroups = groups;

    new CfnOutput(this, 'ApiUrl', { value: this.api.url, description: 'Base URL; routes start with api/v1/' });
    new CfnOutput(this, 'AlarmTopicArn', {
      value: this.alarmTopic.topic.topicArn,
      description: 'Every alarm notifies this topic; subscribe your pager or chat to it',
    });
    new CfnOutput(this, 'TableName', { value: this.table.table.tableName });
    new CfnOutput(this, 'BucketName', { value: this.artifacts.bucket.bucketName });
    new CfnOutput(this, 'BootstrapAdminCommand', {
      value: `npx tsx scripts/bootstrap-admin.ts --table ${this.table.table.tableName} --region ${this.region}`,
      description: 'Run once after the first deploy: creates the first workspace and prints its admin token',
    });
  }
}

/** The CloudWatch namespace of a stack's request metrics (docs/operations.md). */
export const metricsNamespace = (stackName: string) => `Stratus/${stackName}`;

/** The route table grouped by entry file: one function each, in table order. */
export function routesByEntry(routes: readonly RouteDefinition[]): Map<string, RouteDefinition[]> {
  const byEntry = new Map<string, RouteDefinition[]>();
  for (const route of routes) byEntry.set(route.entry, [...(byEntry.get(route.entry) ?? []), route]);
  return byEntry;
}

/**
 * The functions to build, by the route group (nested stack) they go in. A
 * function is named after its entry's first route (its /api/v1 route, when it
 * has one) and grouped by that route's OpenAPI tag, so a function stays in
 * its group, with its logical ids, when routes are added elsewhere.
 */
export function functionPlansByGroup(
  routes: readonly RouteDefinition[],
  settings: Pick<StackSettings, 'reservedConcurrency' | 'reservedConcurrencyByOperation'>,
): Map<string, FunctionPlan[]> {
  const groups = new Map<string, FunctionPlan[]>();
  for (const entryRoutes of routesByEntry(routes).values()) {
    const first = entryRoutes[0] as RouteDefinition;
    const reserved = entryRoutes
      .map((route) => settings.reservedConcurrencyByOperation[route.operationId])
      .filter((value) => value !== undefined);
    const group = routeGroupName(first.tag);
    groups.set(group, [
      ...(groups.get(group) ?? []),
      {
        id: first.operationId,
        routes: entryRoutes,
        reservedConcurrency: reserved.length > 0 ? Math.max(...reserved) : settings.reservedConcurrency,
      },
    ]);
  }
  return groups;
}

/** `experiments` -> `ExperimentsRoutes`, `model-registry` -> `ModelRegistryRoutes`. */
export const routeGroupName = (tag: string) =>
  `${tag
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((word) => word[0]!.toUpperCase() + word.slice(1))
    .join('')}Routes`;

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
