import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { artifactLimits } from '../shared/domain/artifacts.ts';
import { isWellFormedToken } from '../shared/domain/tokens.ts';
import { MAX_METRIC_INDEX_SLOTS } from '../shared/storage/table-definition.ts';
import { DataDirectoryInUseError } from './data-lock.ts';
import { startLocalStack } from './stack.ts';

/**
 * `npm start`: the local stack on http://127.0.0.1:8000 with data kept under
 * .stratus/. Environment variables (README, "Local stack") point it elsewhere.
 */

// The AWS SDK tells a process on Node 20, once, that its releases after January 2027 will need Node
// 22. The stack runs the releases package-lock.json pins, which take Node 20 (README, "Set up and run
// locally"): the notice would only be a scary first line for a newcomer. Set before any client exists,
// as the SDK reads it when its first client is made.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/**
 * A whole number within bounds. Every way of missing them (not a number, a
 * fraction, too small, too large) gets the same message with the range, so a
 * typo is one line naming the variable and what it may be, before anything starts.
 */
const integerIn = (min: number, max: number) => {
  const error = `must be a whole number from ${min} to ${max}`;
  return z.coerce.number({ error }).int({ error }).min(min, { error }).max(max, { error });
};

const parsed = z
  .object({
    STRATUS_HOST: z.string().default('127.0.0.1'),
    STRATUS_PORT: integerIn(0, 65535).default(8000),
    STRATUS_TABLE_NAME: z.string().min(3).default('stratus'),
    STRATUS_DATA_DIR: z.string().default('.stratus'),
    STRATUS_DYNAMODB_ENDPOINT: z.url().optional(),
    STRATUS_S3_ENDPOINT: z.url().optional(),
    STRATUS_ARTIFACTS_BUCKET: z.string().min(3).max(63).default('stratus-artifacts'),
    STRATUS_ARTIFACT_URL_TTL_SECONDS: integerIn(1, 3600).optional(),
    // S3's part bounds, which the handlers' configuration (shared/config.ts) enforces too: checked
    // here, a bad value stops the start at once instead of failing the first request with a trace.
    STRATUS_MULTIPART_THRESHOLD_BYTES: integerIn(artifactLimits.minPartBytes, artifactLimits.maxPartBytes).optional(),
    STRATUS_MULTIPART_PART_SIZE_BYTES: integerIn(artifactLimits.minPartBytes, artifactLimits.maxPartBytes).optional(),
    AWS_REGION: z.string().default('us-east-1'),
    STRATUS_LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
    STRATUS_METRIC_INDEX_SLOTS: integerIn(0, MAX_METRIC_INDEX_SLOTS).optional(),
    STRATUS_TOKEN: z
      .string()
      .refine(isWellFormedToken, { error: 'must look like stratus_<16 hex>_<43 base64url characters>' })
      .optional(),
  })
  .safeParse(process.env);
if (!parsed.success) {
  // One line a variable, its first problem: a fraction below the minimum fails two checks.
  const problems = new Map<string, string>();
  for (const issue of parsed.error.issues) {
    const name = issue.path.join('.');
    if (!problems.has(name)) problems.set(name, issue.message);
  }
  for (const [name, message] of problems) process.stderr.write(`${name}: ${message}\n`);
  process.exit(2);
}
const options = parsed.data;

/** The page-token secret of this data directory, kept so that page tokens survive a restart. */
function pageTokenSecret(directory: string): string {
  const file = join(directory, 'page-token-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(directory, { recursive: true });
  const secret = randomBytes(32).toString('base64url');
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}

const say = (message: string) => process.stderr.write(`${new Date().toISOString()} ${message}\n`);

const stack = await startLocalStack({
  host: options.STRATUS_HOST,
  port: options.STRATUS_PORT,
  tableName: options.STRATUS_TABLE_NAME,
  region: options.AWS_REGION,
  dynamoDbEndpoint: options.STRATUS_DYNAMODB_ENDPOINT,
  dataDirectory: options.STRATUS_DYNAMODB_ENDPOINT ? undefined : `${options.STRATUS_DATA_DIR}/dynamodb`,
  logLevel: options.STRATUS_LOG_LEVEL,
  metricIndexSlots: options.STRATUS_METRIC_INDEX_SLOTS,
  bootstrapToken: options.STRATUS_TOKEN,
  pageTokenSecret: pageTokenSecret(options.STRATUS_DATA_DIR),
  s3: options.STRATUS_S3_ENDPOINT ? { endpoint: options.STRATUS_S3_ENDPOINT } : undefined,
  s3DataDirectory: `${options.STRATUS_DATA_DIR}/s3`,
  artifactsBucket: options.STRATUS_ARTIFACTS_BUCKET,
  artifactUrlTtlSeconds: options.STRATUS_ARTIFACT_URL_TTL_SECONDS,
  multipartThresholdBytes: options.STRATUS_MULTIPART_THRESHOLD_BYTES,
  partSizeBytes: options.STRATUS_MULTIPART_PART_SIZE_BYTES,
  log: say,
  // The stack has stopped itself (the message says why): exit with an error.
  onFailure: () => process.exit(1),
}).catch((error: unknown) => {
  if (!(error instanceof DataDirectoryInUseError)) throw error;
  say(error.message);
  process.exit(1);
});

// The first start creates workspace "default" and an operator token; keep it where scripts can find it.
const tokenFile = join(options.STRATUS_DATA_DIR, 'token');
if (stack.adminToken) {
  mkdirSync(options.STRATUS_DATA_DIR, { recursive: true });
  writeFileSync(tokenFile, `${stack.adminToken}\n`, { mode: 0o600 });
}
const tokenNote = stack.adminToken
  ? `created workspace "${stack.workspace}" and an operator token, written to ${tokenFile}`
  : `workspace "${stack.workspace}" exists; its bootstrap operator token is in ${tokenFile}`;

// The sign-in link carries the token in the URL fragment, which browsers never send to a server;
// the app stores it in the tab's sessionStorage and strips it from the address bar at once.
const bootstrapToken = stack.adminToken ?? (existsSync(tokenFile) ? readFileSync(tokenFile, 'utf8').trim() : undefined);
const webUi = existsSync('web/dist/index.html')
  ? `${stack.url}/${bootstrapToken ? `#token=${bootstrapToken}` : ''}`
  : 'not built: run `npm run setup`';

const dynamo = stack.dynamoDbPid
  ? `DynamoDB Local (pid ${stack.dynamoDbPid}) at ${stack.dynamoDbEndpoint}, data in ${options.STRATUS_DATA_DIR}/dynamodb`
  : `DynamoDB at ${stack.dynamoDbEndpoint}`;
const s3 = stack.s3Pid
  ? `versitygw (pid ${stack.s3Pid}) at ${stack.s3Endpoint}, data in ${options.STRATUS_DATA_DIR}/s3`
  : `S3 at ${stack.s3Endpoint}`;
process.stdout.write(
  [
    'Stratus local stack is up',
    `  Web UI     ${webUi}`,
    `  API        ${stack.url}/api/v1  (OpenAPI: ${stack.url}/api/v1/openapi.json)`,
    `  DynamoDB   ${dynamo}`,
    `  Table      ${stack.tableName} (${stack.tableStatus})`,
    `  S3         ${s3}`,
    `  Bucket     ${stack.artifactsBucket} (${stack.bucketStatus})`,
    `  Auth       ${tokenNote}`,
    '',
    // What the SDKs, the CLI and the mlflow client read, with this stack's address (STRATUS_PORT may have moved it).
    `  export STRATUS_ENDPOINT=${stack.url} STRATUS_TOKEN=$(cat ${tokenFile})`,
    '  export MLFLOW_TRACKING_URI=$STRATUS_ENDPOINT MLFLOW_TRACKING_TOKEN=$STRATUS_TOKEN',
    `  curl -H "Authorization: Bearer $STRATUS_TOKEN" ${stack.url}/api/v1/experiments`,
    '',
    'Press Ctrl-C to stop.',
    '',
  ].join('\n'),
);

let stopping = false;
const shutdown = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  process.stdout.write(`\n${signal}: stopping the local stack...\n`);
  await stack.stop();
  process.stdout.write('stopped.\n');
  process.exit(0);
};
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));

// Whatever started this process (npm, a terminal, a test) died without stopping it: stop too,
// rather than hold the data directory and ports with nobody to press Ctrl-C.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) void shutdown(`parent process ${parent} exited`);
}, 1000).unref();
