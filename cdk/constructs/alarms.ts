import { Duration, Validations } from 'aws-cdk-lib';
import type { StratusApi } from './api.ts';
import {
  Alarm,
  ComparisonOperator,
  type IMetric,
  MathExpression,
  Metric,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { Operation, type Table } from 'aws-cdk-lib/aws-dynamodb';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { Bucket } from 'aws-cdk-lib/aws-s3';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';

/**
 * What pages an operator, and where the page goes. docs/operations.md says
 * what each alarm means and what to do. Every alarm treats missing data as OK:
 * an idle stack publishes nothing and must stay quiet.
 */

/** The artifacts bucket's request-metrics filter: S3 publishes 5xxErrors and the like under this id. */
export const bucketMetricsFilterId = 'EntireBucket';

/** The DynamoDB operations the functions use, whose throttles and system errors are watched. */
const tableOperations = [
  Operation.GET_ITEM,
  Operation.BATCH_GET_ITEM,
  Operation.QUERY,
  Operation.PUT_ITEM,
  Operation.UPDATE_ITEM,
  Operation.DELETE_ITEM,
  Operation.BATCH_WRITE_ITEM,
  Operation.TRANSACT_WRITE_ITEMS,
];

export interface AlarmTopicProps {
  /** Subscribed to the topic when given (the address must confirm the subscription). */
  email: string | undefined;
}

/** The SNS topic every alarm notifies, TLS only, with an optional e-mail subscription. */
export class AlarmTopic extends Construct {
  readonly topic: Topic;
  readonly action: SnsAction;

  constructor(scope: Construct, id: string, props: AlarmTopicProps) {
    super(scope, id);
    this.topic = new Topic(this, 'Topic', { displayName: 'Stratus alarms', enforceSSL: true });
    Validations.of(this.topic).acknowledge({
      id: 'AwsSolutions-SNS2',
      reason:
        'Alarm notifications carry alarm names and metric values, nothing from the tracking data. CloudWatch cannot publish to a topic encrypted with the AWS-managed SNS key, and a customer-managed key would add a monthly charge to an otherwise idle-free stack.',
    });
    if (props.email) this.topic.addSubscription(new EmailSubscription(props.email));
    this.action = new SnsAction(this.topic);
  }
}

export interface ServiceAlarmsProps {
  action: SnsAction;
  api: StratusApi;
  table: Table;
  bucket: Bucket;
  /** API 5xx responses, in percent of requests, that page. */
  serverErrorPercent: number;
  /** p99 latency, in milliseconds, that pages. */
  latencyMs: number;
}

/** The stack-wide alarms: API 5xx rate and p99 latency, DynamoDB throttles and system errors, S3 5xx. */
export class ServiceAlarms extends Construct {
  readonly alarms: Alarm[] = [];

  constructor(scope: Construct, id: string, props: ServiceAlarmsProps) {
    super(scope, id);
    const period = Duration.minutes(5);
    const alarm = (alarmId: string, description: string, metric: IMetric, threshold: number, datapoints = 2) => {
      const created = new Alarm(this, alarmId, {
        alarmDescription: `${description} See docs/operations.md#${alarmId.toLowerCase()}.`,
        metric,
        threshold,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 3,
        datapointsToAlarm: datapoints,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
      created.addAlarmAction(props.action);
      created.addOkAction(props.action);
      this.alarms.push(created);
    };

    alarm(
      'ApiServerErrorRate',
      `More than ${props.serverErrorPercent}% of API requests answered 5xx (at least 20 requests in 5 minutes).`,
      new MathExpression({
        expression: 'IF(requests >= 20, 100 * errors / requests, 0)',
        usingMetrics: {
          errors: props.api.metricServerError({ period, statistic: 'Sum' }),
          requests: props.api.metricCount({ period, statistic: 'SampleCount' }),
        },
        period,
        label: 'API 5xx, % of requests',
      }),
      props.serverErrorPercent,
    );
    alarm(
      'ApiLatencyP99',
      `API p99 latency at or above ${props.latencyMs} ms.`,
      props.api.metricLatency({ period, statistic: 'p99' }),
      props.latencyMs,
    );
    alarm(
      'TableThrottles',
      'DynamoDB throttled requests of the tracking table.',
      props.table.metricThrottledRequestsForOperations({ operations: tableOperations, period }),
      1,
    );
    alarm(
      'TableSystemErrors',
      'DynamoDB answered with system errors (5xx).',
      props.table.metricSystemErrorsForOperations({ operations: tableOperations, period }),
      1,
    );
    alarm(
      'ArtifactBucketServerErrors',
      'S3 answered presigned artifact requests with 5xx.',
      new Metric({
        namespace: 'AWS/S3',
        metricName: '5xxErrors',
        dimensionsMap: { BucketName: props.bucket.bucketName, FilterId: bucketMetricsFilterId },
        statistic: 'Sum',
        period,
      }),
      5,
    );
  }
}

export interface FunctionAlarmsProps {
  action: SnsAction;
  function: IFunction;
  /** What the function serves, for the alarm descriptions. */
  label: string;
  latencyMs: number;
}

/**
 * Per function (so per operation): crashes, timeouts and throttles (which the
 * handler factory never sees, so they show up nowhere else), and p99 duration.
 */
export class FunctionAlarms extends Construct {
  readonly alarms: Alarm[];

  constructor(scope: Construct, id: string, props: FunctionAlarmsProps) {
    super(scope, id);
    const period = Duration.minutes(5);
    const failures = new Alarm(this, 'Failures', {
      alarmDescription: `${props.label}: the function failed or was throttled. See docs/operations.md#function-failures.`,
      metric: new MathExpression({
        expression: 'errors + throttles',
        usingMetrics: {
          errors: props.function.metricErrors({ period, statistic: 'Sum' }),
          throttles: props.function.metricThrottles({ period, statistic: 'Sum' }),
        },
        period,
        label: 'errors + throttles',
      }),
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    const latency = new Alarm(this, 'LatencyP99', {
      alarmDescription: `${props.label}: p99 duration at or above ${props.latencyMs} ms. See docs/operations.md#function-latency.`,
      metric: props.function.metricDuration({ period, statistic: 'p99' }),
      threshold: props.latencyMs,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    this.alarms = [failures, latency];
    for (const alarm of this.alarms) {
      alarm.addAlarmAction(props.action);
      alarm.addOkAction(props.action);
    }
  }
}
