import { z } from 'zod';

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
});

export interface Config {
  tableName: string;
  dynamoDbEndpoint: string | undefined;
  region: string;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  /** How long a container trusts a token record before reading it again (revocation delay). */
  authCacheSeconds: number;
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
  };
  return cached;
}
