import { describe, expect, test } from 'vitest';
import { useTestStack } from '../support/local-api.ts';

/**
 * What the planner reads, asserted by DynamoDB's own read units (the
 * x-stratus-consumed-capacity header), never by time: each case sits between
 * what the right plan reads and what a wrong one would, so a planner that
 * picks the wrong way to check a param, or reads more than it needs, fails.
 * The answers are checked too, against the runs as created.
 */
// Every request reads its token (no cache): read units are compared across requests, and a cached
// token's expiry (a 1-unit read) would otherwise land on whichever request came after it.
const local = useTestStack({ authCacheSeconds: 0 });

const RUNS = 400;
/** Run i: p0 = v<i mod 10>, 19 other params (as in the peer bench), metric m = i / RUNS (spread evenly), tag owner = user-<i mod 7>. */
const runs = Array.from({ length: RUNS }, (_, i) => ({
  name: `cost-${String(i).padStart(4, '0')}`,
  params: Object.fromEntries([
    ['p0', `v${i % 10}`],
    ...Array.from({ length: 19 }, (_, p) => [`p${p + 1}`, `value-${(i * 7919 + p * 104729) % 1000}`]),
  ]) as Record<string, string>,
  m: i / RUNS,
  owner: `user-${i % 7}`,
}));

async function parallel(count: number, work: (i: number) => Promise<void>, width = 8) {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      for (let i = next++; i < count; i = next++) await work(i);
    }),
  );
}

describe('search reads what its plan needs', () => {
  let experimentId: string;
  const search = async (filter: string, extra: Record<string, unknown> = {}) => {
    const response = await local.api.post('/api/v1/runs/search', {
      experiment_ids: [experimentId],
      filter,
      max_results: 1000,
      ...extra,
    });
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    const capacity = response.headers.get('x-stratus-consumed-capacity') ?? '';
    return {
      names: (response.body.runs as Array<{ run_name: string }>).map((run) => run.run_name).sort(),
      ordered: (response.body.runs as Array<{ run_name: string }>).map((run) => run.run_name),
      readUnits: Number(/read=([\d.]+)/.exec(capacity)?.[1] ?? Number.NaN),
      plan: response.headers.get('x-stratus-search-plan'),
      token: response.body.next_page_token as string | undefined,
    };
  };
  const expected = (keep: (run: (typeof runs)[number]) => boolean) =>
    runs
      .filter(keep)
      .map((run) => run.name)
      .sort();

  test('creates the runs', async () => {
    experimentId = (await local.api.post('/api/v1/experiments', { experiment_name: 'search-cost' })).body.experiment_id;
    await parallel(RUNS, async (i) => {
      const run = runs[i] as (typeof runs)[number];
      const created = await local.api.post(`/api/v1/experiments/${experimentId}/runs`, {
        run_name: run.name,
        tags: { owner: run.owner },
        params: run.params,
        metrics: [{ key: 'm', value: run.m, step: 0, timestamp: 1_700_000_000_000 + i }],
      });
      expect(created.status).toBe(201);
    });
  }, 120_000);

  test('a param beside a few candidates is checked on them, not on every param row', async () => {
    // 2 candidates (m >= 0.995): loading them costs 2 units; the experiment's 400 param rows about 9.
    const found = await search("params.p0 = 'v8' AND metrics.m >= 0.995");
    expect(found.names).toEqual(expected((run) => run.params.p0 === 'v8' && run.m >= 0.995));
    expect(found.names.length).toBe(1);
    expect(found.readUnits).toBeLessThan(6);
  });

  test('a param beside many candidates is checked on the metric entries before any run is loaded', async () => {
    // 200 candidates (m >= 0.5): loading them all costs 200 units. Their entries carry their params (about 200
    // bytes each: 5 units), so only the 20 runs holding v3 are loaded; the param rows would add 9 more.
    const found = await search("params.p0 = 'v3' AND metrics.m >= 0.5");
    expect(found.names).toEqual(expected((run) => run.params.p0 === 'v3' && run.m >= 0.5));
    expect(found.names.length).toBe(20);
    expect(found.plan).toBe('index: metrics.m >=, params from its entries');
    // Measured 25.5; entries, param rows and runs would be at least 32.
    expect(found.readUnits).toBeLessThan(30);
  });

  test('a param alone reads the param rows (4-byte digests: about 180 bytes a run), then only the runs holding it', async () => {
    const found = await search("params.p0 IN ('v3', 'v4')");
    expect(found.names).toEqual(expected((run) => run.params.p0 === 'v3' || run.params.p0 === 'v4'));
    // 80 runs hold it (1 unit each); 400 rows of 20 digests are 9 units (17 with 12-character digests).
    expect(found.readUnits).toBeLessThan(found.names.length + 12);
  });

  test('candidates that outnumber the page are taken in order from the metric index, and only a page of them loaded', async () => {
    // 58 runs have owner user-3; the page is 10. Loading every candidate costs 58 units; the metric's entries in
    // order up to about the 11th candidate (about 100 entries of 110 bytes), then 11 runs, about 14.
    const want = runs
      .filter((run) => run.owner === 'user-3')
      .sort((a, b) => b.m - a.m)
      .map((run) => run.name);
    const pages: string[] = [];
    let token: string | undefined;
    let first: Awaited<ReturnType<typeof search>> | undefined;
    do {
      const found = await search("tags.owner = 'user-3'", {
        order_by: ['metrics.m DESC'],
        max_results: 10,
        page_token: token,
      });
      first ??= found;
      pages.push(...found.ordered);
      token = found.token;
    } while (token);
    expect(pages).toEqual(want);
    expect(first?.plan).toBe('index: tags.owner =, in order: metrics.m');
    expect(first?.readUnits).toBeLessThan(25);
  });
});
