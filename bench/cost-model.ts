import { readFileSync } from 'node:fs';
import { NestedStack, type Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';

/**
 * The arithmetic of the cost report (bench/cost.ts, docs/cost.md): list prices
 * from one dated file, what a deployed stack costs while nobody uses it (read
 * from its synthesized templates, so a new alarm shows up here by itself), and
 * DynamoDB's billed size of the items a workload left in the table.
 */

export interface Prices {
  region: string;
  asOf: string;
  currency: string;
  dynamodb: {
    writeRequestUnitPerMillion: number;
    readRequestUnitPerMillion: number;
    storageGbMonth: number;
    pitrGbMonth: number;
  };
  lambda: { requestPerMillion: number; arm64GbSecond: number };
  httpApi: { requestPerMillion: number; billedRequestKb: number };
  restApi: { requestPerMillion: number };
  s3: { standardGbMonth: number; putPer1000: number; getPer1000: number };
  cloudwatch: {
    alarmMetricMonth: number;
    customMetricMonth: number;
    dashboardMonth: number;
    logsIngestedGb: number;
    logsStoredGbMonth: number;
  };
  secretsManager: { secretMonth: number; apiCallsPer10000: number };
  xray: { tracesRecordedPerMillion: number };
  kms: { keyMonth: number };
  alternatives: {
    sageMakerMlflowSmallHour: number;
    ec2T4gMicroHour: number;
    ebsGp3GbMonth: number;
    rdsPostgresT4gMicroHour: number;
    rdsGp3GbMonth: number;
    albHour: number;
  };
  hoursPerMonth: number;
}

export const pricesFile = new URL('./prices-us-east-1.json', import.meta.url);

export const loadPrices = (): Prices => JSON.parse(readFileSync(pricesFile, 'utf8')) as Prices;

export const gigabyte = 1024 ** 3;

/** Dollars as docs/cost.md writes them: whole dollars from $100, cents from a cent, else two significant digits. */
export const usd = (value: number) =>
  value === 0
    ? '$0'
    : value >= 100
      ? `$${value.toFixed(0)}`
      : value >= 0.01
        ? `$${value.toFixed(2)}`
        : `$${value.toPrecision(2)}`;

/**
 * What the alternatives cost per month, idle: SageMaker's managed MLflow (Small),
 * and the smallest self-hosted MLflow (EC2 + RDS PostgreSQL with 8 and 20 GB of
 * gp3), alone and behind an Application Load Balancer for HTTPS.
 */
export function alternativeCosts(prices: Prices) {
  const { alternatives, hoursPerMonth } = prices;
  const selfHosted =
    (alternatives.ec2T4gMicroHour + alternatives.rdsPostgresT4gMicroHour) * hoursPerMonth +
    8 * alternatives.ebsGp3GbMonth +
    20 * alternatives.rdsGp3GbMonth;
  return {
    sageMaker: alternatives.sageMakerMlflowSmallHour * hoursPerMonth,
    selfHosted,
    withAlb: selfHosted + alternatives.albHour * hoursPerMonth,
  };
}

/** What one request costs outside DynamoDB: API Gateway, the Lambda request and its GB-seconds. */
export function requestCost(
  prices: Prices,
  request: { durationMs: number; memoryMb: number; bodyKb?: number | undefined },
): number {
  const billedApiRequests = Math.max(1, Math.ceil((request.bodyKb ?? 0) / prices.httpApi.billedRequestKb));
  const gbSeconds = (Math.ceil(request.durationMs) / 1000) * (request.memoryMb / 1024);
  return (
    (billedApiRequests * prices.httpApi.requestPerMillion) / 1e6 +
    prices.lambda.requestPerMillion / 1e6 +
    gbSeconds * prices.lambda.arm64GbSecond
  );
}

export const capacityCost = (prices: Prices, units: { read: number; write: number }) =>
  (units.write * prices.dynamodb.writeRequestUnitPerMillion + units.read * prices.dynamodb.readRequestUnitPerMillion) /
  1e6;

interface TemplateJson {
  Resources: Record<string, { Type: string; Properties?: Record<string, any> }>;
}

/** The templates of a stack and every stack nested in it. */
export function templatesOf(stack: Stack): TemplateJson[] {
  const nested = stack.node.findAll().filter((construct): construct is NestedStack => construct instanceof NestedStack);
  return [stack, ...nested].map((each) => Template.fromStack(each).toJSON() as TemplateJson);
}

export interface IdleLine {
  what: string;
  count: number;
  monthly: number;
}

/**
 * What the stack costs per month with no traffic and empty storage: CloudWatch
 * bills each metric an alarm watches (a metric-math alarm, every metric in its
 * expression), Secrets Manager each secret, KMS each customer key and
 * CloudWatch each dashboard, whether used or not. Everything else (functions,
 * API, on-demand table, bucket, log groups, SNS topic) costs nothing idle.
 * Free tiers (10 alarm metrics, 3 dashboards) are left out: they are per account.
 */
export function idleCost(templates: TemplateJson[], prices: Prices): IdleLine[] {
  const resources = templates.flatMap((template) => Object.values(template.Resources));
  const ofType = (type: string) => resources.filter((resource) => resource.Type === type);
  const alarmMetrics = ofType('AWS::CloudWatch::Alarm').reduce((sum, alarm) => {
    const metrics = alarm.Properties?.Metrics as Array<{ MetricStat?: unknown }> | undefined;
    return sum + (metrics ? metrics.filter((metric) => metric.MetricStat).length : 1);
  }, 0);
  const lines: IdleLine[] = [
    { what: 'alarm metrics', count: alarmMetrics, monthly: alarmMetrics * prices.cloudwatch.alarmMetricMonth },
    {
      what: 'secrets',
      count: ofType('AWS::SecretsManager::Secret').length,
      monthly: ofType('AWS::SecretsManager::Secret').length * prices.secretsManager.secretMonth,
    },
    {
      what: 'KMS customer keys',
      count: ofType('AWS::KMS::Key').length,
      monthly: ofType('AWS::KMS::Key').length * prices.kms.keyMonth,
    },
    {
      what: 'dashboards',
      count: ofType('AWS::CloudWatch::Dashboard').length,
      monthly: ofType('AWS::CloudWatch::Dashboard').length * prices.cloudwatch.dashboardMonth,
    },
  ];
  return lines;
}

/**
 * The S3 request metrics the buckets publish (16 per metrics filter: requests by
 * kind, bytes, 4xx/5xx, latencies), billed like custom metrics in the hours a
 * bucket receives requests.
 */
export function bucketRequestMetrics(templates: TemplateJson[]): number {
  return templates
    .flatMap((template) => Object.values(template.Resources))
    .filter((resource) => resource.Type === 'AWS::S3::Bucket')
    .reduce((sum, bucket) => sum + 16 * ((bucket.Properties?.MetricsConfigurations as unknown[]) ?? []).length, 0);
}

type AttributeValue =
  | { S: string }
  | { N: string }
  | { B: Uint8Array }
  | { BOOL: boolean }
  | { NULL: boolean }
  | { SS: string[] }
  | { NS: string[] }
  | { BS: Uint8Array[] }
  | { L: AttributeValue[] }
  | { M: Record<string, AttributeValue> };

/** The size of a number as DynamoDB counts it: about one byte per two significant digits, plus one. */
function numberBytes(text: string): number {
  const digits = text
    .replace(/^-/, '')
    .replace(/[eE].*$/, '')
    .replace('.', '')
    .replace(/^0+/, '')
    .replace(/0+$/, '');
  return Math.ceil(Math.max(digits.length, 1) / 2) + 1;
}

function valueBytes(value: AttributeValue): number {
  if ('S' in value) return Buffer.byteLength(value.S, 'utf8');
  if ('N' in value) return numberBytes(value.N);
  if ('B' in value) return value.B.byteLength;
  if ('BOOL' in value || 'NULL' in value) return 1;
  if ('SS' in value) return value.SS.reduce((sum, each) => sum + Buffer.byteLength(each, 'utf8'), 0);
  if ('NS' in value) return value.NS.reduce((sum, each) => sum + numberBytes(each), 0);
  if ('BS' in value) return value.BS.reduce((sum, each) => sum + each.byteLength, 0);
  if ('L' in value) return 3 + value.L.reduce((sum, each) => sum + 1 + valueBytes(each), 0);
  return (
    3 +
    Object.entries(value.M).reduce(
      (sum, [name, each]) => sum + 1 + Buffer.byteLength(name, 'utf8') + valueBytes(each),
      0,
    )
  );
}

/** An item's size as DynamoDB bills it: attribute names and values (the documented approximation). */
export function itemBytes(item: Record<string, AttributeValue>): number {
  return Object.entries(item).reduce(
    (sum, [name, value]) => sum + Buffer.byteLength(name, 'utf8') + valueBytes(value),
    0,
  );
}

export interface IndexShape {
  keys: string[];
  projection: 'ALL' | 'KEYS_ONLY' | 'INCLUDE';
  included?: string[];
}

/**
 * Billed storage of `items`: each item plus DynamoDB's 100 bytes of overhead,
 * and again in every global secondary index whose keys it has (the projected
 * attributes plus 100 bytes), as DynamoDB's storage pricing counts them.
 */
export function storedBytes(
  items: Array<Record<string, AttributeValue>>,
  tableKeys: string[],
  indexes: IndexShape[],
): number {
  let total = 0;
  for (const item of items) {
    total += itemBytes(item) + 100;
    for (const index of indexes) {
      if (!index.keys.every((key) => Object.hasOwn(item, key))) continue;
      if (index.projection === 'ALL') {
        total += itemBytes(item) + 100;
        continue;
      }
      const names = new Set([...tableKeys, ...index.keys, ...(index.included ?? [])]);
      const projected = Object.fromEntries(Object.entries(item).filter(([name]) => names.has(name)));
      total += itemBytes(projected) + 100;
    }
  }
  return total;
}
