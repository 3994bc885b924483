import * as z from 'zod/mini';
import './zod-messages.ts';
import { MAX_METRIC_INDEX_SLOTS } from './storage/table-definition.ts';

const MiB = 1024 * 1024;
// S3's bounds: a part (and a single PUT) is 5 MiB to 5 GiB.
const MiB5 = 5 * MiB;
const GiB5 = 5 * 1024 * MiB;

/**
 * Runtime configuration, parsed once from the environment on first use. Nothing
 * else in the code base reads `process.env`: a missing or malformed variable fails
 * the cold start with a message naming it, not a request later on.
 */
/** A decimal integer from the environment, within bounds, with a default. */
const integer = (min: number, max: number, fallback: number) =>
  z._default(z.pipe(z.coerce.number(), z.int().check(z.gte(min), z.lte(max))), fallback);

const configSchema = z.object({
  STRATUS_TABLE_NAME: z.string().check(z.minLength(3)),
  STRATUS_DYNAMODB_ENDPOINT: z.optional(z.url()),
  AWS_REGION: z._default(z.string().check(z.minLength(1)), 'us-east-1'),
  STRATUS_LOG_LEVEL: z._default(z.enum(['debug', 'info', 'warn', 'error']), 'info'),
  STRATUS_AUTH_CACHE_SECONDS: integer(0, 300, 30),
  STRATUS_AWS_ATTEMPT_TIMEOUT_MS: z.optional(z.pipe(z.coerce.number(), z.int().check(z.gte(100), z.lte(60_000)))),
  STRATUS_ARTIFACTS_BUCKET: z.optional(z.string().check(z.minLength(3), z.maxLength(63))),
  STRATUS_S3_ENDPOINT: z.optional(z.url()),
  STRATUS_ARTIFACT_URL_TTL_SECONDS: integer(1, 3600, 900),
  STRATUS_MULTIPART_THRESHOLD_BYTES: integer(MiB5, GiB5, 64 * MiB),
  STRATUS_MULTIPART_PART_SIZE_BYTES: integer(MiB5, GiB5, 16 * MiB),
  STRATUS_METRICS_NAMESPACE: z.optional(z.string().check(z.minLength(1), z.maxLength(255))),
  STRATUS_PAGE_TOKEN_SECRET_ARN: z.optional(z.string().check(z.startsWith('arn:'))),
  STRATUS_PAGE_TOKEN_SECRET: z.optional(z.string().check(z.minLength(32))),
  STRATUS_METRIC_INDEX_SLOTS: integer(0, MAX_METRIC_INDEX_SLOTS, MAX_METRIC_INDEX_SLOTS),
});

/** Every environment variable the functions understand; the CDK stack sets only these. */
export const configVariableNames = Object.keys(configSchema.shape);

export interface Config {
  tableName: string;
  dynamoDbEndpoint: string | undefined;
  region: string;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  /** How long a container trusts a token record before reading it again (revocation delay). */
  authCacheSeconds: number;
  /**
   * Overrides the time limit of each AWS call attempt (shared/storage/service-outage.ts);
   * the local stack sets a longer one, since DynamoDB Local is far slower than DynamoDB.
   */
  awsAttemptTimeoutMs: number | undefined;
  artifacts: ArtifactConfig;
  /** CloudWatch namespace of the request log's embedded metrics; no request log without one. */
  metricsNamespace: string | undefined;
  /**
   * Where the key of page tokens comes from (shared/storage/cursor.ts): in AWS
   * the Secrets Manager secret the stack creates; the local stack passes the
   * secret itself. Neither is needed until a list hands out its first token.
   */
  pageTokenSecret: { arn: string } | { value: string } | undefined;
  /** The metric slot GSIs the table has (shared/storage/table-definition.ts). */
  metricIndexSlots: number;
}

export interface ArtifactConfig {
  /** Undefined where no bucket is configured; the artifact routes then fail at cold start. */
  bucket: string | undefined;
  /** A local S3-compatible endpoint (versitygw, LocalStack); path-style addressing is used with it. */
  s3Endpoint: string | undefined;
  /** Lifetime of every presigned URL, at most an hour. */
  urlTtlSeconds: number;
  /** Artifacts of at least this size are uploaded in parts. */
  multipartThresholdBytes: number;
  /** The smallest part size; larger artifacts get larger parts (see shared/domain/artifacts.ts). */
  partSizeBytes: number;
}

let cached: Config | undefined;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  if (cached) return cached;
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw new Error(`invalid Stratus configuration: ${problems}`);
  }
  cached = {
    tableName: parsed.data.STRATUS_TABLE_NAME,
    dynamoDbEndpoint: parsed.data.STRATUS_DYNAMODB_ENDPOINT,
    region: parsed.data.AWS_REGION,
    logLevel: parsed.data.STRATUS_LOG_LEVEL,
    authCacheSeconds: parsed.data.STRATUS_AUTH_CACHE_SECONDS,
    awsAttemptTimeoutMs: parsed.data.STRATUS_AWS_ATTEMPT_TIMEOUT_MS,
    metricIndexSlots: parsed.data.STRATUS_METRIC_INDEX_SLOTS,
    pageTokenSecret: parsed.data.STRATUS_PAGE_TOKEN_SECRET_ARN
      ? { arn: parsed.data.STRATUS_PAGE_TOKEN_SECRET_ARN }
      : parsed.data.STRATUS_PAGE_TOKEN_SECRET
        ? { value: parsed.data.STRATUS_PAGE_TOKEN_SECRET }
        : undefined,
    artifacts: {
      bucket: parsed.data.STRATUS_ARTIFACTS_BUCKET,
      s3Endpoint: parsed.data.STRATUS_S3_ENDPOINT,
      urlTtlSeconds: parsed.data.STRATUS_ARTIFACT_URL_TTL_SECONDS,
      multipartThresholdBytes: parsed.data.STRATUS_MULTIPART_THRESHOLD_BYTES,
      partSizeBytes: parsed.data.STRATUS_MULTIPART_PART_SIZE_BYTES,
    },
    metricsNamespace: parsed.data.STRATUS_METRICS_NAMESPACE,
  };
  return cached;
}
