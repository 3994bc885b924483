import { beforeAll, describe, expect, test } from 'vitest';
import { limits } from '../../shared/limits.ts';
import { runEntriesPageBytes } from '../../shared/domain/run-entry-pages.ts';
import { routes } from '../../shared/http/route-table.ts';
import { useTestStack } from '../support/local-api.ts';
import { answerProblems } from '../support/openapi-check.ts';

/**
 * Every answer that carries a run stays below Lambda's 6 MB response, however the run is filled
 * within the documented limits: a run's answer carries the first page of its params and of its
 * tags (each under 1 MiB) and says when there are more, the run's own lists serve them all in
 * pages, and the SDKs read them. The run here is filled with `"`, the character that takes most room in
 * a function's response payload (escaped in the answer's JSON, then again in the payload's JSON):
 * 200 tags of 8,000 alone come to 6.6 MB there, and 150 params of 6,000 to 3.6 MB more.
 */
const local = useTestStack();

/** Lambda answers at most 6 MB (6,291,456 bytes), counted on the payload: the result's JSON, the body a string in it. */
const lambdaResponseLimit = 6 * 1024 * 1024;
const payloadBytes = (body: unknown) =>
  Buffer.byteLength(JSON.stringify({ statusCode: 200, body: JSON.stringify(body) }));

const quotes = (length: number, seed: string) => (seed + '"'.repeat(length)).slice(0, length);
const tags = Array.from({ length: limits.tagsPerEntity }, (_, i) => [
  `tag-${String(i).padStart(3, '0')}`,
  quotes(limits.tagValueLength, `t${i}`),
]) as Array<[string, string]>;
const params = Array.from({ length: 150 }, (_, i) => [
  `param-${String(i).padStart(3, '0')}`,
  quotes(limits.paramValueLength, `p${i}`),
]) as Array<[string, string]>;

let runId: string;
let experimentId: string;

beforeAll(async () => {
  const created = await local.api.post('/api/v1/runs', { experiment_name: 'answer-size' });
  expect(created.status).toBe(201);
  runId = created.body.run_id;
  experimentId = created.body.experiment_id;
  // Requests within the 1 MiB body: a value of quotes is twice its length in JSON.
  for (let start = 0; start < tags.length; start += 50) {
    const answer = await local.api.post(`/api/v1/runs/${runId}/tags`, {
      tags: Object.fromEntries(tags.slice(start, start + 50)),
    });
    expect(answer.status).toBe(200);
  }
  for (let start = 0; start < params.length; start += 50) {
    const answer = await local.api.post(`/api/v1/runs/${runId}/params`, {
      params: Object.fromEntries(params.slice(start, start + 50)),
    });
    expect(answer.status).toBe(200);
  }
}, 120_000);

/** A run's whole entry list, page by page, checking each page's size and its OpenAPI entry. */
async function allOf(list: 'params' | 'tags', run = runId): Promise<Array<[string, string]>> {
  const entries: Array<[string, string]> = [];
  let pages = 0;
  for (let next: string | undefined = '', first = true; first || next; first = false) {
    const query = next ? `?page_token=${next}` : '';
    const response = await fetch(`${local.stack.url}/api/v1/runs/${run}/${list}${query}`, {
      headers: { authorization: `Bearer ${local.stack.token}` },
    });
    const text = await response.text();
    const route = list === 'params' ? routes.listRunParams : routes.listRunTags;
    expect(answerProblems(route, { status: response.status, headers: response.headers, text })).toEqual([]);
    const page = JSON.parse(text);
    expect(payloadBytes(page)).toBeLessThan(runEntriesPageBytes + 64 * 1024);
    entries.push(...(Object.entries(page[list]) as Array<[string, string]>));
    next = page.next_page_token;
    pages++;
  }
  expect(pages).toBeGreaterThan(1);
  return entries;
}

describe("a run's answer is bounded, and its params and tags read whole in pages", () => {
  test('GET /api/v1/runs/{id}: under 6 MB, with the first page of each and tokens; the pages give the rest in key order', async () => {
    const response = await fetch(`${local.stack.url}/api/v1/runs/${runId}`, {
      headers: { authorization: `Bearer ${local.stack.token}` },
    });
    const text = await response.text();
    expect(answerProblems(routes.getRun, { status: response.status, headers: response.headers, text })).toEqual([]);
    const run = JSON.parse(text);
    expect(payloadBytes(run)).toBeLessThan(lambdaResponseLimit);
    expect(run.params_truncated).toBe(true);
    expect(run.tags_truncated).toBe(true);
    // The first page is the lists' first page: in key order.
    expect(Object.entries(run.params)).toEqual(params.slice(0, Object.keys(run.params).length));
    expect(Object.entries(run.tags)).toEqual(tags.slice(0, Object.keys(run.tags).length));
    expect(await allOf('params')).toEqual(params);
    expect(await allOf('tags')).toEqual(tags);
  });

  test("a page token is bound to its run and its list; a small run's lists are one page, without a flag", async () => {
    const first = (await local.api.get(`/api/v1/runs/${runId}/params`)).body;
    const other = (await local.api.post('/api/v1/runs', { experiment_name: 'answer-size', params: { a: '1' } })).body;
    expect(other.params_truncated).toBeUndefined();
    expect((await local.api.get(`/api/v1/runs/${other.run_id}/params`)).body).toEqual({ params: { a: '1' } });
    const wrongList = await local.api.get(`/api/v1/runs/${runId}/tags?page_token=${first.next_page_token}`);
    expect(wrongList.status).toBe(400);
    expect(wrongList.body.error).toMatchObject({ code: 'page_token.invalid' });
    const wrongRun = await local.api.get(`/api/v1/runs/${other.run_id}/params?page_token=${first.next_page_token}`);
    expect(wrongRun.status).toBe(400);
    const unknown = await local.api.get(`/api/v1/runs/${'0'.repeat(32)}/params`);
    expect(unknown.status).toBe(404);
  });

  test('every other /api/v1 answer that carries the run stays under 6 MB', async () => {
    const answers = [
      // The same value again: the run keeps its 200 tags.
      await local.api.post(`/api/v1/runs/${runId}/tags`, { tags: Object.fromEntries(tags.slice(0, 1)) }),
      await local.api.get(`/api/v1/experiments/${experimentId}/runs`),
      await local.api.post('/api/v1/runs/search', { experiment_ids: [experimentId] }),
      await local.api.get(`/api/v1/runs/search?experiment_id=${experimentId}`),
      await local.api.delete(`/api/v1/runs/${runId}`),
      await local.api.post(`/api/v1/runs/${runId}/restore`),
      await local.api.patch(`/api/v1/runs/${runId}`, { status: 'FINISHED' }),
    ];
    for (const answer of answers) {
      expect(answer.status).toBe(200);
      expect(payloadBytes(answer.body)).toBeLessThan(lambdaResponseLimit);
    }
    // A search page ends before 4 MiB: the run may come on a page of its own.
    let searched: Record<string, unknown> | undefined;
    for (let token: string | undefined, pages = 0; !searched && pages < 5; pages++) {
      const page = await local.api.post('/api/v1/runs/search', { experiment_ids: [experimentId], page_token: token });
      expect(payloadBytes(page.body)).toBeLessThan(lambdaResponseLimit);
      searched = page.body.runs.find((r: { run_id: string }) => r.run_id === runId);
      token = page.body.next_page_token;
    }
    if (!searched) throw new Error('the run was not found by search');
    expect(searched.tags_truncated).toBe(true);
    expect(searched.params_truncated).toBe(true);
  });

  test("MLflow's get-run and search refuse the run with RESOURCE_LIMIT_EXCEEDED naming the field, not a 500", async () => {
    const got = await local.api.get(`/api/2.0/mlflow/runs/get?run_id=${runId}`);
    expect(got.status).toBe(400);
    expect(got.body.error_code).toBe('RESOURCE_LIMIT_EXCEEDED');
    expect(got.body.message).toContain(`run '${runId}': tags:`);
    expect(got.body.message).toContain(`/api/v1/runs/${runId}`);
    const search = { experiment_ids: [experimentId], filter: `attributes.run_id = '${runId}'` };
    const searched = await local.api.post('/api/2.0/mlflow/runs/search', search);
    expect(searched.status).toBe(400);
    expect(searched.body.error_code).toBe('RESOURCE_LIMIT_EXCEEDED');
  });

  test("a run within MLflow's bound reads whole there, under 6 MB", async () => {
    const small = (await local.api.post('/api/v1/runs', { experiment_name: 'answer-size-mlflow' })).body;
    for (let start = 0; start < 100; start += 50) {
      await local.api.post(`/api/v1/runs/${small.run_id}/tags`, {
        tags: Object.fromEntries(tags.slice(start, start + 50)),
      });
    }
    const got = await local.api.get(`/api/2.0/mlflow/runs/get?run_id=${small.run_id}`);
    expect(got.status).toBe(200);
    expect(got.body.run.data.tags.filter((tag: { key: string }) => tag.key.startsWith('tag-'))).toHaveLength(100);
    expect(payloadBytes(got.body)).toBeLessThan(lambdaResponseLimit);
  });
});
