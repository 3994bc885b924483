import { beforeAll, describe, expect, test } from 'vitest';
import { searchRunsResponse } from '../../shared/http/schemas/search.ts';
import { useTestStack } from '../support/local-api.ts';

/**
 * What the seeds write and filter, through HTTP: COMPLETED as the alias of
 * FINISHED wherever a status is read, runs found by their parent, and runs found
 * by their pipeline components' name, type and stage.
 */
const local = useTestStack();
const experiment = 'seed-vocabulary';
const ids: Record<string, string> = {};

const startRun = async (name: string, extra: Record<string, unknown> = {}) => {
  const response = await local.api.post('/api/v1/runs', { experiment_name: experiment, run_name: name, ...extra });
  expect(response.status).toBe(201);
  ids[name] = response.body.run_id;
  return response.body.run_id as string;
};

const search = async (filter: string, orderBy?: string[]) => {
  const response = await local.api.post('/api/v1/runs/search', {
    experiment_names: [experiment],
    filter,
    ...(orderBy ? { order_by: orderBy } : {}),
  });
  return response;
};
const names = async (filter: string) => {
  const response = await search(filter);
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return searchRunsResponse
    .parse(response.body)
    .runs.map((run) => run.run_name)
    .sort();
};

beforeAll(async () => {
  const parent = await startRun('parent');
  await startRun('child-a', {
    parent_run_id: parent,
    pipeline: {
      pipeline_config: { model: 'zephyr-7b' },
      pipeline_components: [
        { name: 'tokenizer', type: 'preprocessor', stage: 'prep', position: 0 },
        { name: 'summarizer', type: 'llm', stage: 'inference', position: 1 },
      ],
    },
  });
  await startRun('child-b', {
    parent_run_id: parent,
    pipeline: { pipeline_components: [{ name: 'formatter', type: 'postprocessor', position: 0 }] },
  });
  await startRun('loner');
  for (const [name, status] of [
    ['parent', 'COMPLETED'],
    ['child-a', 'FINISHED'],
    ['child-b', 'FAILED'],
  ] as const) {
    expect((await local.api.patch(`/api/v1/runs/${ids[name]}`, { status })).status).toBe(200);
  }
});

describe('the seeds vocabulary on the server', () => {
  test("status = 'COMPLETED' finds the FINISHED runs, in every form a status filter takes", async () => {
    expect(await names("status = 'COMPLETED'")).toEqual(['child-a', 'parent']);
    expect(await names("status = 'completed'")).toEqual(['child-a', 'parent']);
    expect(await names("status = 'FINISHED'")).toEqual(['child-a', 'parent']);
    expect(await names("status IN ('COMPLETED', 'FAILED')")).toEqual(['child-a', 'child-b', 'parent']);
    expect(await names("status != 'COMPLETED'")).toEqual(['child-b', 'loner']);
    expect(await names("status NOT IN ('COMPLETED')")).toEqual(['child-b', 'loner']);
    const experimentId = (await local.api.get(`/api/v1/experiments/by-name/${experiment}`)).body.experiment_id;
    const listed = await local.api.get(`/api/v1/experiments/${experimentId}/runs?status=COMPLETED`);
    expect(listed.status).toBe(200);
    expect(listed.body.runs.map((run: { run_name: string }) => run.run_name).sort()).toEqual(['child-a', 'parent']);
    const wrong = await local.api.get(`/api/v1/experiments/${experimentId}/runs?status=DONE`);
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.message).toContain('status');
  });

  test('parent_run_id is a filterable attribute', async () => {
    expect(await names(`parent_run_id = '${ids.parent}'`)).toEqual(['child-a', 'child-b']);
    expect(await names(`attributes.parent_run_id IN ('${ids.parent}')`)).toEqual(['child-a', 'child-b']);
    // As for a missing tag, a run without a parent matches no clause on it.
    expect(await names(`parent_run_id != '${ids.parent}'`)).toEqual([]);
    expect(await names("parent_run_id LIKE '%'")).toEqual(['child-a', 'child-b']);
  });

  test('pipeline components are searchable by name, type and stage (any component may match)', async () => {
    expect(await names("components.name = 'summarizer'")).toEqual(['child-a']);
    expect(await names("components.type IN ('llm', 'postprocessor')")).toEqual(['child-a', 'child-b']);
    expect(await names("components.stage = 'prep' AND components.type = 'llm'")).toEqual(['child-a']);
    expect(await names("pipeline_components.name LIKE 'format%'")).toEqual(['child-b']);
    expect(await names("components.stage ILIKE 'INFER%'")).toEqual(['child-a']);
    // formatter has no stage: a stage clause never matches it.
    expect(await names("components.stage != 'prep'")).toEqual(['child-a']);
    const fetched = await local.api.get(`/api/v1/runs/${ids['child-a']}`);
    expect(fetched.body.pipeline.pipeline_components.map((c: { name: string }) => c.name)).toEqual([
      'tokenizer',
      'summarizer',
    ]);
  });

  test('components.* cannot order runs, and an unknown component field says which ones exist', async () => {
    const ordered = await search('', ['components.name']);
    expect(ordered.status).toBe(400);
    expect(ordered.body.error.message).toMatch(/^order_by: .*components\.\* cannot order runs/);
    const unknown = await search("components.colour = 'red'");
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toContain('expected one of name, type, stage');
  });

  test('JSON answers end with a newline, errors included', async () => {
    const ok = await fetch(`${local.stack.url}/api/v1/runs/${ids.parent}`, {
      headers: { authorization: `Bearer ${local.stack.token}` },
    });
    expect((await ok.text()).endsWith('}\n')).toBe(true);
    const missing = await fetch(`${local.stack.url}/api/v1/runs/${'0'.repeat(32)}`, {
      headers: { authorization: `Bearer ${local.stack.token}` },
    });
    expect(missing.status).toBe(404);
    expect((await missing.text()).endsWith('}\n')).toBe(true);
  });

  test('a forbidden answer names the scope with the right article', async () => {
    const created = await local.api.post('/api/v1/admin/tokens', { scope: 'write', name: 'writer' });
    expect(created.status).toBe(201);
    const writer = await fetch(`${local.stack.url}/api/v1/admin/tokens`, {
      headers: { authorization: `Bearer ${created.body.token}` },
    });
    expect(writer.status).toBe(403);
    expect(((await writer.json()) as { error: { message: string } }).error.message).toContain(
      'needs an admin token; this one is write',
    );
  });
});
