import path from 'node:path';
import { type CfnElement, Duration, type RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { Effect, PolicyDocument, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Bucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { RouteDefinition, TableAction } from '../../shared/http/routes.ts';
import { lambdaBundling } from '../bundling.ts';
import type { TrackingTable } from './tracking-table.ts';

export interface RouteFunctionProps {
  route: RouteDefinition;
  table: TrackingTable;
  bucket: Bucket;
  /** Variables every handler reads through shared/config.ts. */
  environment: Record<string, string>;
  reservedConcurrency: number | undefined;
  logRetention: RetentionDays;
  removalPolicy: RemovalPolicy;
}

const repositoryRoot = path.resolve(import.meta.dirname, '../..');

/** Of the table actions, those that can target an index (and so need its ARN). */
const indexActions: readonly TableAction[] = ['Query'];

/**
 * The Lambda function behind one route of the route table, with a role that
 * may do exactly what the route declares: its DynamoDB actions on the table
 * (and Query on the indexes it names), its S3 actions on the bucket's objects,
 * and writing to its own log group. Nothing is granted through grant helpers,
 * so the policy is the route table's declaration and no more.
 */
export class RouteFunction extends Construct {
  readonly function: NodejsFunction;
  readonly role: Role;

  constructor(scope: Construct, id: string, props: RouteFunctionProps) {
    super(scope, id);
    const { route } = props;

    const logGroup = new LogGroup(this, 'Logs', {
      retention: props.logRetention,
      removalPolicy: props.removalPolicy,
    });

    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Stratus ${route.operationId}: ${route.method} ${route.path}`,
      inlinePolicies: { route: new PolicyDocument({ statements: routeStatements(props, logGroup.logGroupArn) }) },
    });
    if (route.bucket && route.bucket.actions.length > 0) {
      const bucketLogicalId = Stack.of(props.bucket).getLogicalId(props.bucket.node.defaultChild as CfnElement);
      Validations.of(this.role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::<${bucketLogicalId}.Arn>/*]`,
        reason:
          'Object keys are built per request from workspace, experiment, run and artifact path (validated by the service before it presigns), so no narrower prefix is known when the policy is written; the actions are only those this route declares, on this one bucket.',
      });
    }

    this.function = new NodejsFunction(this, 'Function', {
      entry: path.join(repositoryRoot, route.entry),
      handler: 'handler',
      projectRoot: repositoryRoot,
      depsLockFilePath: path.join(repositoryRoot, 'package-lock.json'),
      runtime: Runtime.NODEJS_LATEST,
      architecture: Architecture.ARM_64,
      // CPU scales with memory: ingest parses and packs up to 1,000 points per request.
      memorySize: route.ingest ? 1024 : 512,
      timeout: Duration.seconds(10),
      role: this.role,
      logGroup,
      description: route.summary,
      reservedConcurrentExecutions: props.reservedConcurrency,
      environment: { ...props.environment, NODE_OPTIONS: '--enable-source-maps' },
      bundling: lambdaBundling,
    });
  }
}

function routeStatements(props: RouteFunctionProps, logGroupArn: string): PolicyStatement[] {
  const { route, table } = props;
  const statements = [
    new PolicyStatement({
      effect: Effect.ALLOW,
      actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      resources: [logGroupArn],
    }),
    // TransactWriteItems has no IAM action of its own: each Put/Update/ConditionCheck
    // in it is authorised as PutItem/UpdateItem/ConditionCheckItem, which the route declares.
    new PolicyStatement({
      effect: Effect.ALLOW,
      actions: route.table.actions.map((action) => `dynamodb:${action}`),
      resources: [table.table.tableArn],
    }),
  ];

  const indexes = route.table.indexes ?? [];
  if (indexes.length > 0) {
    const actions = route.table.actions.filter((action) => indexActions.includes(action));
    if (actions.length === 0) {
      throw new Error(`${route.operationId} names indexes but none of its table actions (${indexActions}) reads one`);
    }
    statements.push(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: actions.map((action) => `dynamodb:${action}`),
        resources: indexes.map((index) => table.indexArn(index)),
      }),
    );
  }

  if (route.bucket && route.bucket.actions.length > 0) {
    const objects = props.bucket.arnForObjects('*');
    statements.push(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: route.bucket.actions.map((action) => `s3:${action}`),
        resources: [objects],
      }),
    );
  }
  return statements;
}
