import { NestedStack, type RemovalPolicy } from 'aws-cdk-lib';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Bucket } from 'aws-cdk-lib/aws-s3';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import type { RouteDefinition } from '../../shared/http/route-definition.ts';
import type { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { FunctionAlarms } from './alarms.ts';
import type { StratusApi } from './api.ts';
import { RouteFunction } from './route-function.ts';
import type { TrackingTable } from './tracking-table.ts';

/** One function to build: its construct id and the routes (of one entry) it serves. */
export interface FunctionPlan {
  id: string;
  routes: readonly RouteDefinition[];
  reservedConcurrency: number | undefined;
}

export interface RouteGroupProps {
  functions: readonly FunctionPlan[];
  table: TrackingTable;
  bucket: Bucket;
  pageTokenSecret: ISecret;
  api: StratusApi;
  environment: Record<string, string>;
  logRetention: RetentionDays;
  removalPolicy: RemovalPolicy;
  /** X-Ray active tracing. */
  tracing: boolean;
  /** Per-function alarms notify this action; none when they are turned off. */
  alarms: { action: SnsAction; latencyMs: number } | undefined;
}

/**
 * A nested stack holding the functions of one group of operations and their
 * API resources: per function its role, log group, integration, invoke
 * permission and alarms, per route its API route. CloudFormation allows 500 resources a
 * stack; each function costs five (seven with its alarms) and each route one, so the route table
 * (v1, MLflow and registry routes together) is spread over groups, each
 * counted by the infra tests, while the parent keeps the table, the buckets
 * and the API.
 */
export class RouteGroup extends NestedStack {
  readonly functions = new Map<string, RouteFunction>();

  constructor(scope: Construct, id: string, props: RouteGroupProps) {
    super(scope, id, { description: `Stratus functions and routes: ${id}` });
    for (const plan of props.functions) {
      const routeFunction = new RouteFunction(this, plan.id, {
        routes: plan.routes,
        table: props.table,
        bucket: props.bucket,
        pageTokenSecret: props.pageTokenSecret,
        environment: props.environment,
        reservedConcurrency: plan.reservedConcurrency,
        logRetention: props.logRetention,
        removalPolicy: props.removalPolicy,
        tracing: props.tracing,
      });
      for (const route of plan.routes) this.functions.set(route.operationId, routeFunction);
      if (props.alarms) {
        new FunctionAlarms(routeFunction, 'Alarms', {
          action: props.alarms.action,
          function: routeFunction.function,
          label: plan.routes.map((route) => `${route.method} ${route.path}`).join(', '),
          latencyMs: props.alarms.latencyMs,
        });
      }

      props.api.serve(this, plan.id, plan.routes, routeFunction.function);
    }
  }
}
