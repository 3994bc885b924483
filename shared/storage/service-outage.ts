import { ServiceUnavailableError } from '../errors.ts';

/**
 * Which AWS SDK errors mean "the service cannot serve this call right now"
 * rather than "this call is wrong": the one place that decides when a request
 * answers 503 with Retry-After instead of 500. Both SDK clients (DynamoDB and
 * S3) run every error they give up on through `asServiceOutage`.
 */

// Load shedding, by the names DynamoDB and S3 use (after the SDK's own retries).
const throttlingNames = new Set([
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'TooManyRequestsException',
  'SlowDown',
]);

// The service failed or did not answer in time (smithy names its socket timeout TimeoutError).
const unavailableNames = new Set([
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'InternalServerError',
  'InternalError',
  'ServiceUnavailable',
  'ServiceUnavailableException',
]);

// Node's socket errors: nothing listens, the peer went away mid-call, no route, no DNS answer.
const networkCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/**
 * Time limits for every AWS call. The SDK sets none by default, so a service
 * that accepts connections but never answers would hold a request until the
 * function's 10 s timeout (a bare 500 from API Gateway). `requestTimeout` bounds
 * each attempt; with `maxAttempts` and the SDK's short backoff a DynamoDB call
 * gives up within about 7 s and an S3 call within about 8.5 s, so the client
 * gets a 503 well inside the function's time. S3 gets longer attempts because
 * CompleteMultipartUpload of many parts legitimately takes seconds.
 */
export const awsCallLimits = {
  dynamodb: { maxAttempts: 3, connectionTimeout: 1000, requestTimeout: 2000 },
  s3: { maxAttempts: 2, connectionTimeout: 1000, requestTimeout: 3500 },
  secretsmanager: { maxAttempts: 3, connectionTimeout: 1000, requestTimeout: 2000 },
} as const;

/** The SDK client settings that enforce `awsCallLimits` for one service; `attemptTimeoutMs` overrides its attempt limit. */
export function callLimitSettings(service: keyof typeof awsCallLimits, attemptTimeoutMs?: number) {
  const { maxAttempts, connectionTimeout, requestTimeout } = awsCallLimits[service];
  return {
    maxAttempts,
    requestHandler: {
      connectionTimeout,
      requestTimeout: attemptTimeoutMs ?? requestTimeout,
      throwOnRequestTimeout: true,
    },
  };
}

/** Seconds a client is asked to wait: a throttle clears quickly, a restart takes a little longer. */
export const retryAfterSeconds = { throttled: 1, unavailable: 2 } as const;

export type OutageKind = keyof typeof retryAfterSeconds;

/** The kind of outage `error` reports, or undefined when it is any other error. */
export function outageKind(error: unknown): OutageKind | undefined {
  if (!(error instanceof Error)) return undefined;
  if (throttlingNames.has(error.name)) return 'throttled';
  if (unavailableNames.has(error.name)) return 'unavailable';
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  if (status !== undefined && status >= 500) return 'unavailable';
  for (let cause: unknown = error, depth = 0; cause instanceof Error && depth < 4; depth++) {
    const code = (cause as { code?: unknown }).code;
    if (typeof code === 'string' && networkCodes.has(code)) return 'unavailable';
    cause = cause.cause;
  }
  return undefined;
}

/** `error` as a ServiceUnavailableError when it reports an outage, else `error` itself. */
export function asServiceOutage(error: unknown): unknown {
  const kind = outageKind(error);
  return kind ? new ServiceUnavailableError(retryAfterSeconds[kind], { cause: error }) : error;
}
