import { beforeAll, describe, expect, test } from 'vitest';
import { lambdaResponsePayloadBytes } from '../../shared/domain/answer-size.ts';
import { routes } from '../../shared/http/route-table.ts';
import { comparisonTruncatedHeader } from '../../shared/http/comparison-truncated-header.ts';
import { limits } from '../../shared/limits.ts';
import { useTestStack } from '../support/local-api.ts';
import { answerProblems } from '../support/openapi-check.ts';

/**
 * A comparison answers a cell per run and column, a value or null, so runs filled within the
 * documented limits would make it pass Lambda's 6 MB (which the handler refuses as answer.too_large):
 * three runs of 100 params of 6,000 `"` (4 bytes each in the payload) come to 7.2 MB, ten runs of
 * 1,000 metrics of 250-character keys, all different, to 10,000 columns of ten cells, 30 MB. The
 * answer ends its columns before its bound and marks the runs with values past them, whose own
 * lists give the rest.
 */
const local = useTestStack();

const payloadBytes = (text: string) => Buffer.byteLength(JSON.stringify({ statusCode: 200, body: text }));
const quotes = (length: number, seed: string) => (seed + '"'.repeat(length)).slice(0, length);

/** Runs of the params experiment: three full ones, one whose only param sorts last, one whose sorts first. */
const fullParams = Array.from({ length: 100 }, (_, i) => [
  `p-${String(i).padStart(3, '0')}`,
  quotes(limits.paramValueLength, `v${i}`),
]) as Array<[string, string]>;
const fullRuns: string[] = [];
let lastOnly: string;
let firstOnly: string;
const metricRuns: string[] = [];
const metricKey = (run: number, i: number) => `m${run}-${String(i).padStart(4, '0')}-`.padEnd(limits.keyLength, 'x');

async function createRun(experiment: string, params: Record<string, string> = {}): Promise<string> {
  const created = await local.api.post('/api/v1/runs', { experiment_name: experiment, params });
  expect(created.status).toBe(201);
  return created.body.run_id;
}

beforeAll(async () => {
  for (let run = 0; run < 3; run++) {
    const runId = await createRun('compare-params');
    // Within the 1 MiB request: a value of quotes is twice its length in JSON.
    for (let start = 0; start < fullParams.length; start += 50) {
      const logged = await local.api.post(`/api/v1/runs/${runId}/params`, {
        params: Object.fromEntries(fullParams.slice(start, start + 50)),
      });
      expect(logged.status).toBe(200);
    }
    fullRuns.push(runId);
  }
  lastOnly = await createRun('compare-params', { 'z-last': 'small' });
  firstOnly = await createRun('compare-params', { 'a-first': 'small' });
  for (let run = 0; run < 10; run++) {
    const runId = await createRun('compare-metrics');
    const metrics = Array.from({ length: limits.metricKeysPerRun }, (_, i) => ({
      key: metricKey(run, i),
      value: i / 7,
      step: 0,
    }));
    expect((await local.api.post(`/api/v1/runs/${runId}/metrics`, { metrics })).status).toBe(200);
    metricRuns.push(runId);
  }
}, 180_000);

/**
 * The comparison as sent, checked against the OpenAPI description and Lambda's bound; `cut` is the
 * header naming the kinds of column it cut, which JSON and CSV answers both carry.
 */
async function compare(runIds: readonly string[], cut: string | null, accept = 'application/json') {
  const response = await fetch(`${local.stack.url}/api/v1/runs/compare`, {
    method: 'POST',
    headers: { authorization: `Bearer ${local.stack.token}`, 'content-type': 'application/json', accept },
    body: JSON.stringify({ run_ids: runIds }),
  });
  const text = await response.text();
  expect(response.status, text.slice(0, 300)).toBe(200);
  expect(response.headers.get(comparisonTruncatedHeader)).toBe(cut);
  expect(payloadBytes(text)).toBeLessThan(lambdaResponsePayloadBytes);
  if (accept !== 'application/json') return text;
  expect(answerProblems(routes.compareRuns, { status: response.status, headers: response.headers, text })).toEqual([]);
  // Cut near its bound, not far before it: columns are counted by their text, not four bytes a character.
  expect(payloadBytes(text)).toBeGreaterThan(limits.answerBytes * 0.75);
  return JSON.parse(text);
}

async function allParams(runId: string): Promise<Record<string, string>> {
  const params: Record<string, string> = Object.create(null);
  let token: string | undefined;
  do {
    const page = await local.api.get(
      `/api/v1/runs/${runId}/params?max_results=1000${token ? `&page_token=${token}` : ''}`,
    );
    Object.assign(params, page.body.params);
    token = page.body.next_page_token;
  } while (token);
  return params;
}

describe('compare answers within the bound, marking the runs with values past its columns', () => {
  test("params: columns end in key order; flagged runs' pages give the rest, unflagged runs have none there", async () => {
    const runIds = [...fullRuns, lastOnly, firstOnly];
    const answer = await compare(runIds, 'params');
    const all = ['a-first', ...fullParams.map(([key]) => key), 'z-last'];
    const kept: string[] = answer.param_names;
    expect(kept.length).toBeGreaterThan(1);
    expect(kept.length).toBeLessThan(all.length);
    expect(kept).toEqual(all.slice(0, kept.length));
    const byId = new Map(answer.runs.map((run: { run_id: string }) => [run.run_id, run]));
    for (const runId of fullRuns) expect(byId.get(runId)).toMatchObject({ params_truncated: true });
    expect(byId.get(lastOnly)).toMatchObject({ params_truncated: true, params: { 'a-first': null } });
    expect(byId.get(firstOnly)).toMatchObject({ params: { 'a-first': 'small' } });
    expect(byId.get(firstOnly)).not.toHaveProperty('params_truncated');
    // Every cell is what the runs hold: the answer's columns, and the flagged runs' pages for the rest.
    for (const runId of runIds) {
      const run = byId.get(runId) as { params: Record<string, string | null>; params_truncated?: true };
      const whole = run.params_truncated
        ? await allParams(runId)
        : Object.fromEntries(Object.entries(run.params).filter(([, value]) => value !== null));
      for (const key of kept) expect(run.params[key]).toBe(whole[key] ?? null);
      if (!run.params_truncated) expect(Object.keys(whole).every((key) => kept.includes(key))).toBe(true);
    }
    expect(await allParams(fullRuns[0] as string)).toEqual(Object.fromEntries(fullParams));

    // The CSV holds the same columns, and says in its header that they were cut.
    const csv = (await compare(runIds, 'params', 'text/csv')) as string;
    expect(csv.slice(0, csv.indexOf('\r\n')).split(',').slice(4)).toEqual(kept.map((key) => `params.${key}`));
  }, 120_000);

  test('an answer with every column says nothing was cut, in JSON and in CSV', async () => {
    for (const accept of ['application/json', 'text/csv']) {
      const response = await fetch(`${local.stack.url}/api/v1/runs/compare`, {
        method: 'POST',
        headers: { authorization: `Bearer ${local.stack.token}`, 'content-type': 'application/json', accept },
        body: JSON.stringify({ run_ids: [lastOnly, firstOnly] }),
      });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toContain(accept);
      expect(response.headers.has(comparisonTruncatedHeader)).toBe(false);
      expect(await response.text()).toContain('small');
    }
  });

  test("metrics: 10,000 columns of ten cells end in key order; a flagged run's details hold every metric", async () => {
    const answer = await compare(metricRuns, 'metrics');
    const all = metricRuns.flatMap((_, run) =>
      Array.from({ length: limits.metricKeysPerRun }, (_, i) => metricKey(run, i)),
    );
    const kept: string[] = answer.metric_names;
    expect(kept.length).toBeGreaterThan(100);
    expect(kept).toEqual(all.slice(0, kept.length));
    // The first runs' metrics sort first: the columns end in one of them, and the runs after have all theirs past it.
    const cutIn = Math.floor(kept.length / limits.metricKeysPerRun);
    answer.runs.forEach((run: Record<string, any>, index: number) => {
      expect(run.metrics_truncated).toBe(index >= cutIn ? true : undefined);
      expect(Object.keys(run.metrics)).toEqual(kept);
    });
    const flagged = metricRuns[metricRuns.length - 1] as string;
    const details = await local.api.get(`/api/v1/runs/${flagged}`);
    expect(Object.keys(details.body.metrics).sort()).toEqual(all.slice(-limits.metricKeysPerRun));
  }, 120_000);
});
