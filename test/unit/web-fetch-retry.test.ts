import { describe, expect, test } from 'vitest';
import { retryingFetch, retryPolicy, retryWaitMs } from '../../web/src/api/retry.ts';

/** The web app's reads ride out a 503/429 with Retry-After, a bounded number of times; writes never repeat. */

function server(statuses: number[], retryAfter: string | null = '2') {
  const seen: string[] = [];
  const fetchImpl = async (request: Request) => {
    seen.push(request.method);
    const status = statuses[Math.min(seen.length - 1, statuses.length - 1)] ?? 200;
    const headers = status === 200 || retryAfter === null ? undefined : { 'retry-after': retryAfter };
    return new Response(JSON.stringify({ status }), { status, headers });
  };
  return { fetchImpl, seen };
}

function recordedWaits() {
  const waits: number[] = [];
  const wait = async (ms: number) => {
    waits.push(ms);
  };
  return { waits, wait };
}

describe('retryingFetch', () => {
  test('a GET answered 503 is asked again after Retry-After, and the later answer is returned', async () => {
    const { fetchImpl, seen } = server([503, 200]);
    const { waits, wait } = recordedWaits();
    const response = await retryingFetch(fetchImpl, wait)(new Request('http://api/api/v1/models'));
    expect(response.status).toBe(200);
    expect(seen).toEqual(['GET', 'GET']);
    expect(waits).toEqual([2000]);
  });

  test('a 429 is retried too; the tries are bounded and the last answer is returned', async () => {
    const { fetchImpl, seen } = server([429, 503, 503, 503, 200]);
    const { waits, wait } = recordedWaits();
    const response = await retryingFetch(fetchImpl, wait)(new Request('http://api/x'));
    expect(response.status).toBe(503);
    expect(seen).toHaveLength(retryPolicy.attempts);
    expect(waits).toHaveLength(retryPolicy.attempts - 1);
  });

  test.each(['POST', 'PUT', 'PATCH', 'DELETE'])('a %s answered 503 is not sent again', async (method) => {
    const { fetchImpl, seen } = server([503, 200]);
    const { waits, wait } = recordedWaits();
    const response = await retryingFetch(
      fetchImpl,
      wait,
    )(new Request('http://api/x', { method, body: method === 'DELETE' ? undefined : '{}' }));
    expect(response.status).toBe(503);
    expect(seen).toEqual([method]);
    expect(waits).toEqual([]);
  });

  test('other failures are answered at once', async () => {
    for (const status of [400, 404, 500, 502]) {
      const { fetchImpl, seen } = server([status, 200]);
      const response = await retryingFetch(fetchImpl, recordedWaits().wait)(new Request('http://api/x'));
      expect(response.status).toBe(status);
      expect(seen).toHaveLength(1);
    }
  });

  test('an aborted read stops waiting', async () => {
    const { fetchImpl, seen } = server([503, 200], '3');
    const controller = new AbortController();
    const pending = retryingFetch(fetchImpl)(new Request('http://api/x', { signal: controller.signal }));
    setTimeout(() => controller.abort(new Error('navigated away')), 20);
    await expect(pending).rejects.toThrow('navigated away');
    expect(seen).toHaveLength(1);
  });
});

describe('retryWaitMs', () => {
  const now = Date.parse('2026-11-28T12:00:00Z');
  test.each([
    ['1', 1000],
    ['0', 0],
    ['2.5', 2500],
    ['120', retryPolicy.maxWaitMs],
    [null, retryPolicy.defaultWaitMs],
    ['soon', retryPolicy.defaultWaitMs],
    ['-3', retryPolicy.defaultWaitMs],
    ['Sat, 28 Nov 2026 12:00:03 GMT', 3000],
    ['Sat, 28 Nov 2026 11:59:00 GMT', 0],
  ])('Retry-After %s waits %i ms', (header, expected) => {
    expect(retryWaitMs(header, now)).toBe(expected);
  });
});
