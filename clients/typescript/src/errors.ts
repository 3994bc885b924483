/**
 * An error answered by the Stratus API (`{error: {code, message}}`), or a failure
 * to reach it (`status` undefined). `code` is stable and dotted; branch on it.
 */
export class StratusError extends Error {
  /** Seconds the server asked to wait (Retry-After of a 429/503), if it did. */
  retryAfterSeconds: number | undefined;

  constructor(
    readonly status: number | undefined,
    readonly code: string,
    message: string,
  ) {
    super(`${message} (${code}${status === undefined ? '' : `, HTTP ${status}`})`);
    this.name = 'StratusError';
    this.apiMessage = message;
  }

  /** The API's message alone, without code and status. */
  readonly apiMessage: string;

  /** Outages and overload (no answer, 429, 5xx): the same request may succeed later. */
  get retryable(): boolean {
    return this.status === undefined || this.status === 429 || this.status >= 500;
  }
}

/** The service could not be reached; `requestSent` is false when the connection was refused. */
export class StratusConnectionError extends StratusError {
  constructor(
    message: string,
    readonly requestSent: boolean,
  ) {
    super(undefined, 'connection.failed', message);
    this.name = 'StratusConnectionError';
  }
}
