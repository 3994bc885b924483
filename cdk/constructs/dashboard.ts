import { Duration } from 'aws-cdk-lib';
import type { StratusApi } from './api.ts';
import { Dashboard, GraphWidget, MathExpression, Metric, type IWidget, TextWidget } from 'aws-cdk-lib/aws-cloudwatch';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';

export interface OperationsDashboardProps {
  api: StratusApi;
  table: Table;
  /** The namespace of the request log's embedded metrics. */
  metricsNamespace: string;
  /** Matches the stack's function names in SEARCH expressions. */
  stackName: string;
}

/**
 * One CloudWatch dashboard (behind `stratus:dashboard`: a dashboard costs a
 * few dollars a month, idle or not): traffic and errors, latency, what the
 * service did (points, artifacts, searches by plan, unknown tokens), what it
 * cost in DynamoDB units by operation, and the functions' own health.
 */
export class OperationsDashboard extends Construct {
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: OperationsDashboardProps) {
    super(scope, id);
    const period = Duration.minutes(5);
    const ns = props.metricsNamespace;
    const business = (metricName: string, label: string, dimensionsMap?: Record<string, string>) =>
      new Metric({ namespace: ns, metricName, dimensionsMap, statistic: 'Sum', period, label });
    const search = (expression: string, label: string) => new MathExpression({ expression, label, period });
    const graph = (title: string, left: Metric[] | MathExpression[] | Array<Metric | MathExpression>, width = 8) =>
      new GraphWidget({ title, left, width, height: 6 });

    const rows: IWidget[][] = [
      [
        new TextWidget({
          markdown: `# Stratus (${props.stackName})\nAlarms and what to do: docs/operations.md. Request logs: Logs Insights on the functions' log groups.`,
          width: 24,
          height: 2,
        }),
      ],
      [
        graph('API requests and errors', [
          props.api.metricCount({ period, statistic: 'SampleCount', label: 'requests' }),
          props.api.metricClientError({ period, label: '4xx' }),
          props.api.metricServerError({ period, label: '5xx' }),
        ]),
        graph('API latency (ms)', [
          props.api.metricLatency({ period, statistic: 'p50', label: 'p50' }),
          props.api.metricLatency({ period, statistic: 'p99', label: 'p99' }),
        ]),
        graph('Errors answered, by class', [
          business('Errors', '4xx', { StatusClass: '4xx' }),
          business('Errors', '5xx', { StatusClass: '5xx' }),
        ]),
      ],
      [
        graph('Metric points ingested', [business('PointsIngested', 'points')]),
        graph('Searches by plan', [
          business('Searches', 'index candidates', { SearchPlan: 'candidates' }),
          business('Searches', 'ordered stream', { SearchPlan: 'stream' }),
          business('Searches', 'full scan of the experiments', { SearchPlan: 'full' }),
        ]),
        graph('Artifact bytes planned, unknown tokens', [
          business('ArtifactBytesPlanned', 'artifact bytes'),
          business('UnknownTokenLookups', 'unknown-token lookups'),
        ]),
      ],
      [
        graph(
          'DynamoDB write units by operation',
          [search(`SEARCH('{${ns},Operation} MetricName="WriteUnits"', 'Sum', 300)`, '')],
          12,
        ),
        graph(
          'DynamoDB read units by operation',
          [search(`SEARCH('{${ns},Operation} MetricName="ReadUnits"', 'Sum', 300)`, '')],
          12,
        ),
      ],
      [
        graph('Table: consumed units, throttles', [
          props.table.metricConsumedReadCapacityUnits({ period, label: 'read units' }),
          props.table.metricConsumedWriteCapacityUnits({ period, label: 'write units' }),
        ]),
        graph('Function p99 duration (ms)', [
          search(`SEARCH('{AWS/Lambda,FunctionName} MetricName="Duration" ${props.stackName}', 'p99', 300)`, ''),
        ]),
        graph('Function errors and throttles', [
          search(`SEARCH('{AWS/Lambda,FunctionName} MetricName="Errors" ${props.stackName}', 'Sum', 300)`, ''),
          search(`SEARCH('{AWS/Lambda,FunctionName} MetricName="Throttles" ${props.stackName}', 'Sum', 300)`, ''),
        ]),
      ],
    ];
    this.dashboard = new Dashboard(this, 'Dashboard', { widgets: rows });
  }
}
