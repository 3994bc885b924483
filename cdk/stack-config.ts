import { MAX_METRIC_INDEX_SLOTS } from '../shared/storage/table-definition.ts';
import { z } from 'zod';
import { routeList } from '../shared/http/route-table.ts';

/**
 * The stack's options, read from CDK context: `cdk.json`, `--context key=value`
 * on the command line, or `new App({ context })` in tests. Every key is
 * prefixed `stratus:`; docs/deploy.md lists them. Values from the command line
 * arrive as strings, so numbers and booleans are coerced, and a bad value fails
 * the synth with a message naming the key rather than deploying something else.
 */

const contextPrefix = 'stratus:';

const booleanish = z.union([z.boolean(), z.enum(['true', 'false']).transform((value) => value === 'true')]);
const positiveInt = (max: number) => z.coerce.number().int().min(1).max(max);

/** CloudWatch Logs accepts only these retention periods. */
const retentionDays = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];

const originList = z
  .union([z.array(z.string()), z.string().transform((value) => value.split(',').filter(Boolean))])
  .pipe(
    z.array(
      z
        .string()
        .trim()
        .regex(/^https?:\/\/[^\s/]+$/, 'each origin is scheme://host[:port], no path'),
    ),
  );

const settingsSchema = z.object({
  stackName: z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9-]{0,127}$/)
    .default('Stratus'),
  /** DynamoDB point-in-time recovery; turning it off is for throwaway stacks. */
  pointInTimeRecovery: booleanish.default(true),
  /** DynamoDB deletion protection: a `cdk destroy` cannot drop the data by accident. */
  deletionProtection: booleanish.default(true),
  /** What CloudFormation does with the table, buckets and log groups when they leave the stack. */
  removalPolicy: z.enum(['retain', 'destroy']).default('retain'),
  /** Reserved concurrency for every function; unset means the account's shared pool. */
  reservedConcurrency: positiveInt(10_000).optional(),
  /** Stage-wide API throttle: steady requests per second and burst. */
  throttleRate: positiveInt(10_000).default(200),
  throttleBurst: positiveInt(5_000).default(400),
  /** Tighter throttle on ingest routes, so one runaway job cannot use the account's API Gateway quota. */
  ingestThrottleRate: positiveInt(10_000).default(50),
  ingestThrottleBurst: positiveInt(5_000).default(100),
  /** Lifetime of presigned artifact URLs; at most an hour. */
  presignExpirySeconds: z.coerce.number().int().min(60).max(3600).default(900),
  /** Further origins allowed by the API's and the bucket's CORS (the stack's own web UI always is). */
  corsOrigins: originList.default([]),
  /** The web UI on CloudFront + S3 (cdk/constructs/web-app.ts); false deploys the API alone. */
  webUi: booleanish.default(true),
  logRetentionDays: z.coerce
    .number()
    .refine((days) => retentionDays.includes(days), `one of ${retentionDays.join(', ')}`)
    .default(30),
  /** Incomplete multipart uploads are aborted (and their parts' storage freed) after this many days. */
  abortMultipartUploadDays: positiveInt(365).default(2),
  /** Replaced or deleted artifact versions are kept this long, then expire. */
  noncurrentVersionDays: positiveInt(3650).default(30),
  logLevel: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  /** How long a function trusts a token record; revocation takes effect within it. */
  authCacheSeconds: z.coerce.number().int().min(0).max(300).default(30),
  /** Subscribed to the alarm topic by e-mail (confirm the message AWS sends); none by default. */
  alarmEmail: z.email().optional(),
  /** Per-function alarms (failures and throttles, p99 duration): three alarm metrics each (docs/cost.md). */
  functionAlarms: booleanish.default(true),
  /** p99 latency that pages, for the API and for each function. */
  latencyAlarmMs: positiveInt(10_000).default(3000),
  /** API 5xx responses, in percent of requests, that page. */
  serverErrorAlarmPercent: z.coerce.number().min(0.1).max(100).default(1),
  /** A CloudWatch dashboard; off by default because a dashboard is billed monthly, idle or not. */
  dashboard: booleanish.default(false),
  /** X-Ray active tracing of every function; off by default. */
  tracing: booleanish.default(false),
  /**
   * The API in front of the functions: an HTTP API, or a REST API (v1), which
   * LocalStack's free tier can deploy with cdklocal (docs/localstack.md).
   */
  apiType: z.enum(['http', 'rest']).default('http'),
  /**
   * Metric slot GSIs on the table (docs/deploy.md, "Metric slots"): a run's
   * first metric values are indexed on its values item through them instead
   * of by an item each. CloudFormation adds one GSI per stack update, so a
   * stack deployed before them is raised to the full count one deployment at
   * a time (1, 2, … 16); 0 keeps the table as it was.
   */
  metricIndexSlots: z.coerce.number().int().min(0).max(MAX_METRIC_INDEX_SLOTS).default(MAX_METRIC_INDEX_SLOTS),
});

export type StackSettings = z.output<typeof settingsSchema> & {
  /**
   * Per-operation reserved concurrency, from `stratus:reservedConcurrency:<operationId>`. Operations
   * served by one function share it: the function gets the largest value set for any of them.
   */
  reservedConcurrencyByOperation: Record<string, number>;
};

/** The context keys this app reads, for documentation and typo detection. */
export const settingKeys = Object.keys(settingsSchema.shape).map((key) => `${contextPrefix}${key}`);

/**
 * Reads the settings from a context lookup (`app.node.tryGetContext`). Unknown
 * `stratus:` keys are an error: a misspelt option must not silently keep its
 * default (deletion protection, say).
 */
export function readStackSettings(context: Record<string, unknown>): StackSettings {
  const raw: Record<string, unknown> = {};
  const reservedConcurrencyByOperation: Record<string, number> = {};
  const operations = new Set(routeList.map((route) => route.operationId));
  const perOperation = `${contextPrefix}reservedConcurrency:`;
  for (const [key, value] of Object.entries(context)) {
    if (!key.startsWith(contextPrefix)) continue;
    if (key.startsWith(perOperation)) {
      const operationId = key.slice(perOperation.length);
      if (!operations.has(operationId)) throw new Error(`${key}: no route has operationId '${operationId}'`);
      const parsed = positiveInt(10_000).safeParse(value);
      if (!parsed.success) throw new Error(`${key}: ${parsed.error.issues[0]?.message}`);
      reservedConcurrencyByOperation[operationId] = parsed.data;
      continue;
    }
    const name = key.slice(contextPrefix.length);
    if (!(name in settingsSchema.shape)) {
      throw new Error(`unknown context key ${key}; known: ${settingKeys.join(', ')}`);
    }
    raw[name] = value;
  }
  const parsed = settingsSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${contextPrefix}${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`invalid stack context: ${problems.join('; ')}`);
  }
  if (parsed.data.apiType === 'rest' && (parsed.data.webUi || parsed.data.corsOrigins.length > 0)) {
    // A REST API answers CORS preflights only with an OPTIONS method on every resource, and
    // browsers then need CORS headers from the functions too; LocalStack's free tier, the reason
    // for this option, has no CloudFront for the web UI either.
    throw new Error(
      `${contextPrefix}apiType=rest serves no browser origins: also set ${contextPrefix}webUi=false and no ${contextPrefix}corsOrigins`,
    );
  }
  if (parsed.data.ingestThrottleRate > parsed.data.throttleRate) {
    throw new Error(`${contextPrefix}ingestThrottleRate must not exceed ${contextPrefix}throttleRate`);
  }
  return { ...parsed.data, reservedConcurrencyByOperation };
}
