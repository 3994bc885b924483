/**
 * The API answers 503 with Retry-After while a store is unavailable or it
 * sheds load, and 429 when throttled. A page load should ride that out, so
 * reads are asked again a bounded number of times, after the wait the server
 * asked for (capped: someone is looking at a spinner). Only GET and HEAD: a
 * write may have been applied before its 503 came back, so a write's failure
 * is shown, never repeated behind the user's back.
 */
export const retryPolicy = {
  /** Tries in all, the first included. */
  attempts: 3,
  /** The longest wait between tries, whatever Retry-After says. */
  maxWaitMs: 4000,
  /** The wait when the answer names none. */
  defaultWaitMs: 1000,
} as const;

const retriedStatuses = new Set([429, 503]);
const idempotentMethods = new Set(['GET', 'HEAD']);

/** Retry-After (delta-seconds or an HTTP date) as a wait in ms, within the policy's bounds. */
export function retryWaitMs(header: string | null, now = Date.now()): number {
  const value = header?.trim() ?? '';
  let wait: number = retryPolicy.defaultWaitMs;
  if (/^\d+(\.\d+)?$/.test(value)) wait = Number(value) * 1000;
  // An HTTP date names its weekday ("Sat, 28 Nov 2026 12:00:03 GMT"); Date.parse alone would take "-3" as a year.
  else if (/^[A-Za-z]{3}, /.test(value) && !Number.isNaN(Date.parse(value))) wait = Date.parse(value) - now;
  return Math.min(retryPolicy.maxWaitMs, Math.max(0, wait));
}

type Fetch = (input: Request, init?: RequestInit) => Promise<Response>;

const pause = (ms: number, signal: AbortSignal | null) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', stop);
      resolve();
    }, ms);
    const stop = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', stop, { once: true });
  });

/** `fetchImpl` that asks a GET or HEAD again after a 503 or 429, as `retryPolicy` says. */
export function retryingFetch(fetchImpl: Fetch, wait = pause): Fetch {
  return async (request, init) => {
    if (!idempotentMethods.has(request.method.toUpperCase())) return fetchImpl(request, init);
    for (let attempt = 1; ; attempt++) {
      // A bodiless request can be sent again; a clone keeps the original unused for the next try.
      const response = await fetchImpl(request.clone(), init);
      if (!retriedStatuses.has(response.status) || attempt >= retryPolicy.attempts) return response;
      await response.body?.cancel();
      await wait(retryWaitMs(response.headers.get('retry-after')), request.signal);
    }
  };
}
