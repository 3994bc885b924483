import path from 'node:path';
import { type CfnElement, Duration, Names, type RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { Effect, PolicyDocument, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, type CfnFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Bucket } from 'aws-cdk-lib/aws-s3';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { BucketAction, RouteDefinition, TableAction } from '../../shared/http/route-definition.ts';
import { lambdaBundlingFor } from '../bundling.ts';
import type { TrackingTable } from './tracking-table.ts';

export interface RouteFunctionProps {
  /** The routes this function serves: every route of the table with its entry. */
  routes: readonly RouteDefinition[];
  table: TrackingTable;
  bucket: Bucket;
  /** The key material of page tokens; readable by functions whose routes declare `pageTokens`. */
  pageTokenSecret: ISecret;
  /** Variables every handler reads through shared/config.ts. */
  environment: Record<string, string>;
  reservedConcurrency: number | undefined;
  logRetention: RetentionDays;
  removalPolicy: RemovalPolicy;
  /** X-Ray active tracing (the role then may write trace segments). */
  tracing?: boolean;
}

const repositoryRoot = path.resolve(import.meta.dirname, '../..');

/** A function's time limit unless one of its routes asks for more (RouteDefinition.timeoutSeconds). */
const defaultTimeoutSeconds = 10;
/** Of the table actions, those that can target an index (and so need its ARN). */
const indexActions: readonly TableAction[] = ['Query'];

/** The IAM grants of a function: the union of what its routes declare. */
export interface FunctionGrants {
  tableActions: TableAction[];
  indexes: string[];
  bucketActions: BucketAction[];
  pageTokens: boolean;
}

export function unionOfGrants(routes: readonly RouteDefinition[]): FunctionGrants {
  // In declaration order, each once: one route's grants read as it declared them.
  const unique = <T extends string>(values: Iterable<T>) => [...new Set(values)];
  return {
    tableActions: unique(routes.flatMap((route) => route.table.actions)),
    indexes: unique(routes.flatMap((route) => route.table.indexes ?? [])),
    bucketActions: unique(routes.flatMap((route) => route.bucket?.actions ?? [])),
    pageTokens: routes.some((route) => route.pageTokens),
  };
}

/**
 * The Lambda function behind one entry of the route table (one operation, which
 * may have a route in each dialect), with a role that may do exactly what its
 * routes declare: their DynamoDB actions on the table (and Query on the indexes
 * they name), their S3 actions on the bucket's objects, and writing to its own
 * log group. Nothing is granted through grant helpers, so the policy is the
 * route table's declaration and no more.
 */
export class RouteFunction extends Construct {
  readonly function: NodejsFunction;
  readonly role: Role;

  constructor(scope: Construct, id: string, props: RouteFunctionProps) {
    super(scope, id);
    const [route] = props.routes;
    if (!route || props.routes.some((other) => other.entry !== route.entry)) {
      throw new Error(`${id}: a function serves one or more routes of a single entry`);
    }
    const grants = unionOfGrants(props.routes);
    const served = props.routes.map((r) => `${r.method} ${r.path}`).join(', ');

    const logGroup = new LogGroup(this, 'Logs', {
      retention: props.logRetention,
      removalPolicy: props.removalPolicy,
    });

    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Stratus ${route.operationId}: ${served}`.slice(0, 1000),
      inlinePolicies: {
        route: new PolicyDocument({ statements: grantStatements(grants, props, logGroup.logGroupArn) }),
      },
    });
    if (grants.bucketActions.some((action) => action !== 'ListBucket')) {
      Validations.of(this.role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::<${bucketArnReference(this, props.bucket)}>/*]`,
        reason:
          'Object keys are built per request from workspace, experiment, run and artifact path (validated by the service before it presigns), so no narrower prefix is known when the policy is written; the actions are only those its routes declare, on this one bucket.',
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
      memorySize: props.routes.some((r) => r.ingest) ? 1024 : 512,
      timeout: Duration.seconds(Math.max(defaultTimeoutSeconds, ...props.routes.map((r) => r.timeoutSeconds ?? 0))),
      role: this.role,
      logGroup,
      description: route.summary.slice(0, 256),
      reservedConcurrentExecutions: props.reservedConcurrency,
      // No --enable-source-maps: it parses the map at every cold start; logged stacks are mapped
      // when they are logged (shared/observability/stack-trace.ts).
      environment: props.environment,
      bundling: lambdaBundlingFor(route.entry),
    });
    if (props.tracing) {
      // Set on the resource, with the X-Ray grant in the inline policy above: the Function's own
      // tracing option would attach a separate policy resource to the role.
      (this.function.node.defaultChild as CfnFunction).tracingConfig = { mode: 'Active' };
      Validations.of(this.role).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'xray:PutTraceSegments and xray:PutTelemetryRecords support no resource-level permissions; granted only when tracing is turned on (stratus:tracing).',
      });
    }
  }
}

/**
 * How cdk-nag names the bucket's ARN in this function's policy: `Bucket.Arn`
 * in the bucket's own stack, or the parameter CDK passes it through to a
 * nested stack (`referenceto<bucket's unique id>Arn`).
 */
function bucketArnReference(scope: Construct, bucket: Bucket): string {
  const resource = bucket.node.defaultChild as CfnElement;
  if (Stack.of(scope) === Stack.of(bucket)) return `${Stack.of(bucket).getLogicalId(resource)}.Arn`;
  return `referenceto${Names.nodeUniqueId(resource.node)}Arn`;
}

function grantStatements(grants: FunctionGrants, props: RouteFunctionProps, logGroupArn: string): PolicyStatement[] {
  const { table, bucket } = props;
  const statements = [
    new PolicyStatement({
      effect: Effect.ALLOW,
      actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      resources: [logGroupArn],
    }),
    ...(props.tracing
      ? [
          new PolicyStatement({
            effect: Effect.ALLOW,
            actions: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'],
            resources: ['*'],
          }),
        ]
      : []),
    // TransactWriteItems has no IAM action of its own: each Put/Update/ConditionCheck
    // in it is authorised as PutItem/UpdateItem/ConditionCheckItem, which the route declares.
    new PolicyStatement({
      effect: Effect.ALLOW,
      actions: grants.tableActions.map((action) => `dynamodb:${action}`),
      resources: [table.table.tableArn],
    }),
  ];

  if (grants.indexes.length > 0) {
    const actions = grants.tableActions.filter((action) => indexActions.includes(action));
    if (actions.length === 0) {
      throw new Error(
        `${props.routes[0]?.entry} names indexes but none of its table actions (${indexActions}) reads one`,
      );
    }
    statements.push(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: actions.map((action) => `dynamodb:${action}`),
        resources: grants.indexes.map((index) => table.indexArn(index)),
      }),
    );
  }

  // ListBucket is granted on the bucket; every other action on its objects.
  const objectActions = grants.bucketActions.filter((action) => action !== 'ListBucket');
  if (objectActions.length > 0) {
    statements.push(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: objectActions.map((action) => `s3:${action}`),
        resources: [bucket.arnForObjects('*')],
      }),
    );
  }
  if (grants.bucketActions.includes('ListBucket')) {
    statements.push(
      new PolicyStatement({ effect: Effect.ALLOW, actions: ['s3:ListBucket'], resources: [bucket.bucketArn] }),
    );
  }
  if (grants.pageTokens) {
    statements.push(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['secretsmanager:GetSecretValue'],
        resources: [props.pageTokenSecret.secretArn],
      }),
    );
  }
  return statements;
}
