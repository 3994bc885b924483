import { z } from 'zod';

const MiB = 1024 * 1024;
// S3's bounds: a part (and a single PUT) is 5 MiB to 5 GiB.
const MiB5 = 5 * MiB;
const GiB5 = 5 * 1024 * MiB;

/**
 * Runtime configuration, parsed once from the environment on first use. Nothing
 * else in the code base reads `process.env`: a missing or malformed variable fails
 * the cold start with a message naming it, not a request later on.
 */
const configSchema = z.object({
  STRATUS_TABLE_NAME: z.string().min(3),
  STRATUS_DYNAMODB_ENDPOINT: z.url().optional(),
  AWS_REGION: z.string().min(1).default('us-east-1'),
  STRATUS_LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  STRATUS_AUTH_CACHE_SECONDS: z.coerce.number().int().min(0).max(300).default(30),
  STRATUS_ARTIFACTS_BUCKET: z.string().min(3).max(63).optional(),
  STRATUS_S3_ENDPOINT: z.url().optional(),
  STRATUS_ARTIFACT_URL_TTL_SECONDS: z.coerce.number().int().min(1).max(3600).default(900),
  STRATUS_MULTIPART_THRESHOLD_BYTES: z.coerce
    .number()
    .int()
    .min(MiB5)
    .max(GiB5)
    .default(64 * MiB),
  STRATUS_MULTIPART_PART_SIZE_BYTES: z.coerce
    .number()
    .int()
    .min(MiB5)
    .max(GiB5)
    .default(16 * MiB),
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
  artifacts: ArtifactConfig;
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
    artifacts: {
      bucket: parsed.data.STRATUS_ARTIFACTS_BUCKET,
      s3Endpoint: parsed.data.STRATUS_S3_ENDPOINT,
      urlTtlSeconds: parsed.data.STRATUS_ARTIFACT_URL_TTL_SECONDS,
      multipartThresholdBytes: parsed.data.STRATUS_MULTIPART_THRESHOLD_BYTES,
      partSizeBytes: parsed.data.STRATUS_MULTIPART_PART_SIZE_BYTES,
    },
  };
  return cached;
}
