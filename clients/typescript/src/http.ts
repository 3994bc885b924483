import { StratusConnectionError, StratusError } from './errors.ts';

/** How often and how long to retry a request the service could not take. */
export interface RetryPolicy {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const defaultRetry: RetryPolicy = { maxAttempts: 5, baseDelayMs: 200, maxDelayMs: 30_000 };

/** Full jitter on an exponential ceiling; never sooner than the server asked (up to 5 minutes). */
export function retryDelayMs(policy: RetryPolicy, attempt: number, retryAfterSeconds?: number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.min(attempt, 30));
  const delay = Math.random() * ceiling;
  return retryAfterSeconds === undefined ? delay : Math.max(delay, Math.min(retryAfterSeconds, 300) * 1000);
}

export function parseRetryAfter(value: string | null): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, (date - Date.now()) / 1000);
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** `http://host:8000`, `.../api/v1` and a trailing slash all mean the same API root. */
export function normaliseEndpoint(endpoint: string): string {
  const base = endpoint.trim().replace(/\/+$/, '');
  if (!/^https?:\/\//.test(base)) throw new Error(`endpoint must start with http:// or https://, got ${endpoint}`);
  return base.endsWith('/api/v1') ? base : `${base}/api/v1`;
}

export async function errorFromResponse(response: Response): Promise<StratusError> {
  const text = await response.text().catch(() => '');
  let code = `http.${response.status}`;
  let message = `HTTP ${response.status}${text ? `: ${text.slice(0, 200)}` : ''}`;
  try {
    const payload = JSON.parse(text) as { error?: { code?: string; message?: string } };
    if (payload.error?.code && payload.error.message)
      ({ code, message } = payload.error as { code: string; message: string });
  } catch {
    // not JSON (a storage server's XML, a proxy's HTML): keep the text
  }
  const error = new StratusError(response.status, code, message);
  error.retryAfterSeconds = parseRetryAfter(response.headers.get('retry-after'));
  return error;
}

/** One exchange; network failures become StratusConnectionError. */
export async function exchange(url: string, init: RequestInit, timeoutMs: number): Promise<Response> {
  try {
    return await fetch(url, { ...init, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause;
    const refused = cause?.code === 'ECONNREFUSED';
    throw new StratusConnectionError(`cannot reach ${new URL(url).origin}: ${cause?.code ?? String(error)}`, !refused);
  }
}

export type Query = Record<string, string | number | boolean | readonly string[] | undefined>;

export interface RequestOptions {
  body?: unknown;
  query?: Query;
  headers?: Record<string, string>;
  /** Requests that would create something twice are retried only when they certainly did nothing. */
  idempotent?: boolean;
  attempts?: number;
}

/** JSON over HTTP with the bearer token, typed errors and retries. */
export class Transport {
  readonly baseUrl: string;

  constructor(
    endpoint: string,
    private readonly token: string,
    readonly timeoutMs = 30_000,
    readonly retry: RetryPolicy = defaultRetry,
  ) {
    this.baseUrl = normaliseEndpoint(endpoint);
  }

  url(path: string, query: Query = {}): string {
    // fetch's URL parser resolves a `.` or `..` segment (a key or name of that spelling, which
    // encodeURIComponent leaves as it is), percent-encoded or not: DELETE /runs/R/tags/.. would
    // become DELETE /runs/R/. Refused here with the answer the API gives such a path.
    const dots = path.split('/').find((segment) => segment === '.' || segment === '..');
    if (dots !== undefined) {
      throw new StratusError(
        400,
        'path.dot_segment',
        `path: a '${dots}' segment is not a name (URL parsers read it as the level above)`,
      );
    }
    const params = new URLSearchParams();
    for (const [name, value] of Object.entries(query)) {
      if (value === undefined) continue;
      if (Array.isArray(value)) for (const item of value) params.append(name, item);
      else params.append(name, String(value));
    }
    const search = params.toString();
    return `${this.baseUrl}${path}${search ? `?${search}` : ''}`;
  }

  async json<T = any>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const response = await this.request(method, path, options);
    const text = await response.text();
    try {
      return (text ? JSON.parse(text) : undefined) as T;
    } catch {
      // Something else answers at this address (another server, or the web UI's page for a path it
      // does not know): say so, rather than "Unexpected token '<'".
      const kind = response.headers.get('content-type')?.split(';')[0] || 'a body';
      const message = `${this.baseUrl}${path} answered ${kind}, not the Stratus API's JSON: is the endpoint the API's address?`;
      throw new StratusError(response.status, 'response.not_json', message);
    }
  }

  /** Every item of a paged list: `field` of each page, following `next_page_token` until a page has none. */
  async *pages(path: string, field: string, query: Record<string, string | number | undefined>) {
    const current = { ...query };
    for (;;) {
      const page = await this.json('GET', path, { query: current });
      yield* (page[field] ?? []) as any[];
      if (!page.next_page_token) return;
      current.page_token = page.next_page_token;
    }
  }

  /** The entries of a map field (a run's `params`, `tags`) over all its pages. */
  async *entryPages(path: string, field: string, query: Record<string, string | number | undefined>) {
    const current = { ...query };
    for (;;) {
      const page = await this.json('GET', path, { query: current });
      yield* Object.entries((page[field] ?? {}) as Record<string, string>);
      if (!page.next_page_token) return;
      current.page_token = page.next_page_token;
    }
  }

  request(method: string, path: string, options: RequestOptions = {}): Promise<Response> {
    const headers: Record<string, string> = {
      authorization: `Bearer ${this.token}`,
      accept: 'application/json',
      ...options.headers,
    };
    let body: string | undefined;
    if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['content-type'] = 'application/json';
    }
    const url = this.url(path, options.query);
    return this.withRetries(() => exchange(url, { method, headers, body }, this.timeoutMs), options);
  }

  /** Runs `attempt` until it answers below 400, retrying what may succeed later; throws the last error. */
  async withRetries(
    attempt: () => Promise<Response>,
    options: { idempotent?: boolean; attempts?: number } = {},
  ): Promise<Response> {
    const limit = options.attempts ?? this.retry.maxAttempts;
    const idempotent = options.idempotent ?? true;
    for (let tries = 0; ; tries++) {
      let retryAfter: number | undefined;
      try {
        const response = await attempt();
        if (response.status < 400) return response;
        const error = await errorFromResponse(response);
        const safe = idempotent || response.status === 429 || response.status === 503;
        if (!error.retryable || !safe || tries + 1 >= limit) throw error;
        retryAfter = error.retryAfterSeconds;
      } catch (error) {
        if (!(error instanceof StratusConnectionError)) throw error;
        if (tries + 1 >= limit || (!idempotent && error.requestSent)) throw error;
      }
      await sleep(retryDelayMs(this.retry, tries, retryAfter));
    }
  }
}
