/**
 * Typed domain errors. Each carries the HTTP status it maps to and a stable,
 * dotted `code` that clients can branch on; the message names the field.
 * The one place that turns them into HTTP responses is `shared/http/handler.ts`.
 */
export abstract class StratusError extends Error {
  abstract readonly statusCode: number;
  constructor(
    readonly code: string,
    message: string,
    /** What the error is about, apart from the message, for a dialect that words errors its own way. */
    readonly subject?: ErrorSubject,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** The id (or, `byName`, the name) of the thing an error is about: `Run with id=<id> not found` in MLflow's words. */
export interface ErrorSubject {
  id: string;
  byName?: boolean;
  /** The run, experiment or logged model the thing belongs to (a tag's), which MLflow's words name: `in run with id <id>`. */
  within?: { kind: 'run' | 'experiment' | 'logged_model'; id: string };
}

/**
 * The request field a refusal is about, apart from the message, for a dialect
 * that words refusals its own way (MLflow: "Missing value for required parameter 'run_id'").
 */
export interface RequestParameter {
  /** As the client spells it: `run_id`, `metrics[0].timestamp`. */
  name: string;
  /** Absent, or null, in the request. */
  missing: boolean;
  /** What was sent, when something was. */
  value?: unknown;
  /** A number's JSON text as the client wrote it (`9.0`; `value` is 9), where the dialect keeps it. */
  sentText?: string;
  /** What is wrong with it, without the field's name. */
  reason: string;
}

export class ValidationError extends StratusError {
  readonly statusCode = 400;
  constructor(
    message: string,
    code = 'request.invalid',
    readonly parameter?: RequestParameter,
    subject?: ErrorSubject,
  ) {
    super(code, message, subject);
  }
}

export class NotFoundError extends StratusError {
  readonly statusCode = 404;
  constructor(what: string, id: string, by: 'id' | 'name' = 'id', within?: ErrorSubject['within']) {
    super(`${what}.not_found`, `${what} '${id}' does not exist`, {
      id,
      ...(by === 'name' && { byName: true }),
      ...(within && { within }),
    });
  }
}

/** No token, a malformed or unknown one, or a revoked one. Deliberately says no more than that. */
export class UnauthorizedError extends StratusError {
  readonly statusCode = 401;
  constructor(message = 'a valid bearer token is required') {
    super('auth.unauthorized', message);
  }
}

/** A valid token whose scope does not allow the operation. */
export class ForbiddenError extends StratusError {
  readonly statusCode = 403;
  constructor(message: string) {
    super('auth.forbidden', message);
  }
}

export class ConflictError extends StratusError {
  readonly statusCode = 409;
}

/** A param of a run or a logged model sent again with another value than the one logged. */
export interface ParamChange {
  key: string;
  logged: string;
  sent: string;
}

/**
 * Params are immutable, a run's and a logged model's: every param of a write sent with another
 * value than the one logged, in the order sent, so a dialect can word them all (MLflow lists
 * them); the message names the first.
 */
export class ParamChangeError extends ConflictError {
  constructor(
    /** The id of the run, or of the logged model (`owner`), whose params these are. */
    readonly ownerId: string,
    readonly changes: readonly [ParamChange, ...ParamChange[]],
    readonly owner: 'run' | 'logged_model' = 'run',
  ) {
    const [{ key, logged }] = changes;
    super('param.immutable', `param '${key}' is already logged as '${logged}'; params are immutable`);
  }
}

export class PayloadTooLargeError extends StratusError {
  readonly statusCode = 413;
  constructor(message: string) {
    super('request.too_large', message);
  }
}

/** A request body in anything but JSON (README, "Requests"). */
export class UnsupportedMediaTypeError extends StratusError {
  readonly statusCode = 415;
  constructor(message: string) {
    super('request.unsupported_media_type', message);
  }
}

/**
 * An AWS service the request needs (DynamoDB, S3) is unreachable, timed out,
 * throttled the call or failed with a 5xx, after the SDK's own retries. The
 * client should retry after `retryAfterSeconds`; the SDKs honour Retry-After.
 * `cause` is logged, never sent.
 */
export class ServiceUnavailableError extends StratusError {
  readonly statusCode = 503;
  constructor(
    readonly retryAfterSeconds: number,
    options: { cause?: unknown } = {},
  ) {
    super('service.unavailable', `the service is unavailable for a moment; retry after ${retryAfterSeconds} s`);
    if (options.cause !== undefined) this.cause = options.cause;
  }
}
