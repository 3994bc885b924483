import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { BatchWriteCommand, GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, test } from 'vitest';
import { childRunKey, childRunsPartition, experimentKey } from '../../shared/storage/keys.ts';
import { tableDocumentClient, useTestStack } from '../support/local-api.ts';

/**
 * A search by parent (`parent_run_id =`/`IN`, MLflow's `tags.mlflow.parentRunId`) reads the
 * experiment's child index, then only the children. Every search here is also answered without
 * the index, page by page, and must come out the same (runs, order, page boundaries): as `LIKE`
 * (no index: the plans a search by parent took before), and on the same experiments without their
 * mark and child items, as a version from before the index left them, before and after `npm run
 * migrate`. Read units come from DynamoDB's own ConsumedCapacity (x-stratus-consumed-capacity).
 */
// Every request reads its token (no cache): read units are compared across requests, and a cached
// token's expiry (a 1-unit read) would otherwise land on whichever request came after it.
const local = useTestStack({ authCacheSeconds: 0 });
const run = promisify(execFile);
const mlflow = (path: string, body: unknown) => local.api.post(`/api/2.0/mlflow/${path}`, body);

const capacity = (response: { headers: Headers }, kind: 'read' | 'write') =>
  Number(
    new RegExp(`${kind}=([\\d.]+)`).exec(response.headers.get('x-stratus-consumed-capacity') ?? '')?.[1] ?? Number.NaN,
  );

async function parallel<T>(items: readonly T[], work: (item: T, i: number) => Promise<void>, width = 8) {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      for (let i = next++; i < items.length; i = next++) await work(items[i] as T, i);
    }),
  );
}

interface Searched {
  /** Run names, page by page. */
  pages: string[][];
  plans: string[];
  /** Read units of the first page. */
  readUnits: number;
}

describe('child runs', () => {
  const ids: Record<string, string> = {};
  const experiments: { main: string; other: string } = { main: '', other: '' };
  const table = () => local.stack.tableName;

  const create = async (experimentId: string, name: string, body: Record<string, unknown>, viaMlflow = false) => {
    if (viaMlflow) {
      // MLflow's client names the parent with a tag: the same field.
      const response = await mlflow('runs/create', {
        experiment_id: experimentId,
        run_name: name,
        tags: [
          ...Object.entries((body.tags ?? {}) as Record<string, string>).map(([key, value]) => ({ key, value })),
          ...(body.parent_run_id ? [{ key: 'mlflow.parentRunId', value: body.parent_run_id }] : []),
        ],
      });
      expect(response.status, JSON.stringify(response.body)).toBe(200);
      const runId = response.body.run.info.run_id as string;
      const { params = {}, metrics = [] } = body as { params?: Record<string, string>; metrics?: unknown[] };
      const batch = await mlflow('runs/log-batch', {
        run_id: runId,
        params: Object.entries(params).map(([key, value]) => ({ key, value })),
        metrics,
      });
      expect(batch.status, JSON.stringify(batch.body)).toBe(200);
      ids[name] = runId;
      return response;
    }
    const response = await local.api.post(`/api/v1/experiments/${experimentId}/runs`, { run_name: name, ...body });
    expect(response.status, JSON.stringify(response.body)).toBe(201);
    ids[name] = response.body.run_id as string;
    return response;
  };

  const c1Names = Array.from({ length: 24 }, (_, i) => `c1-${String(i).padStart(2, '0')}`);
  const c2Names = Array.from({ length: 8 }, (_, i) => `c2-${i}`);

  /** A child's metric `m` (none for every fifth: runs without the key order last), with ties in threes. */
  const childBody = (parent: string, i: number) => ({
    parent_run_id: ids[parent],
    tags: { kind: i % 2 === 0 ? 'even' : 'odd' },
    params: { lr: ['0.1', '0.01', '0.001'][i % 3] as string },
    metrics: i % 5 === 4 ? [] : [{ key: 'm', value: Math.floor(i / 3) / 8, step: 0, timestamp: 1_700_000_000_000 }],
  });

  const searchAll = async (body: Record<string, unknown>, dialect: 'v1' | 'mlflow' = 'v1'): Promise<Searched> => {
    const found: Searched = { pages: [], plans: [], readUnits: Number.NaN };
    let token: string | undefined;
    do {
      const response =
        dialect === 'v1'
          ? await local.api.post('/api/v1/runs/search', { ...body, page_token: token })
          : await mlflow('runs/search', { ...body, page_token: token });
      expect(response.status, JSON.stringify(response.body)).toBe(200);
      const runs = (response.body.runs ?? []) as Array<{ run_name?: string; info?: { run_name: string } }>;
      found.pages.push(runs.map((found) => (found.info ? found.info.run_name : (found.run_name as string))));
      found.plans.push(response.headers.get('x-stratus-search-plan') ?? '');
      if (Number.isNaN(found.readUnits)) found.readUnits = capacity(response, 'read');
      token = response.body.next_page_token || undefined;
    } while (token);
    return found;
  };

  /** The searches every path must answer alike: =, IN, beside other clauses, ordered, paged, deleted runs. */
  const cases = () => [
    { experiment_ids: [experiments.main], filter: `parent_run_id = '${ids.p1}'`, max_results: 5 },
    {
      experiment_ids: [experiments.main],
      filter: `parent_run_id IN ('${ids.p1}', '${ids.p2}')`,
      order_by: ['metrics.m DESC'],
      max_results: 7,
    },
    {
      experiment_ids: [experiments.main],
      filter: `attributes.parent_run_id = '${ids.p1}' AND metrics.m > 0.5`,
      order_by: ['metrics.m'],
      max_results: 4,
    },
    {
      experiment_ids: [experiments.main],
      filter: `parent_run_id IN ('${ids.p1}', '${ids['c1-00']}') AND params.lr = '0.1' AND tags.kind = 'even'`,
      order_by: ['run_name DESC'],
      max_results: 2,
    },
    {
      experiment_ids: [experiments.main, experiments.other],
      filter: `parent_run_id = '${ids.p1}' AND status = 'RUNNING' AND run_name LIKE '%-1%'`,
      order_by: ['params.lr', 'metrics.m DESC'],
      max_results: 3,
    },
    { experiment_ids: [experiments.main], filter: `parent_run_id = '${ids.p2}'`, lifecycle: 'all', max_results: 3 },
    { experiment_ids: [experiments.main], filter: `parent_run_id = '${ids.p2}'`, lifecycle: 'deleted' },
    { experiment_ids: [experiments.main], filter: `parent_run_id = '${'0'.repeat(32)}'` },
  ];

  /** What every case answered through the index, recorded for the other paths. */
  let indexed: Searched[] = [];

  test('creates parents, children (some through MLflow), grandchildren and runs without a parent', async () => {
    experiments.main = (
      await local.api.post('/api/v1/experiments', { experiment_name: 'children' })
    ).body.experiment_id;
    experiments.other = (
      await local.api.post('/api/v1/experiments', { experiment_name: 'children-elsewhere' })
    ).body.experiment_id;
    for (const parent of ['p1', 'p2']) await create(experiments.main, parent, {});
    const plain = Array.from({ length: 50 }, (_, i) => `plain-${String(i).padStart(2, '0')}`);
    await parallel(plain, async (name, i) => {
      await create(experiments.main, name, {
        tags: { kind: 'even' },
        params: { lr: '0.1' },
        metrics: [{ key: 'm', value: i / 50, step: 0, timestamp: 1_700_000_000_000 }],
      });
    });
    await parallel(c1Names, async (name, i) => {
      await create(experiments.main, name, childBody('p1', i), i % 4 === 1);
    });
    await parallel(c2Names, async (name, i) => {
      await create(experiments.main, name, childBody('p2', i), i % 3 === 0);
    });
    for (const i of [0, 1, 2]) await create(experiments.main, `g-${i}`, childBody('c1-00', i));
    // Children in another experiment than their parent's: indexed in theirs.
    for (const i of [0, 1, 2, 3]) await create(experiments.other, `x-1${i}`, childBody('p1', i));
    expect((await local.api.delete(`/api/v1/runs/${ids['c2-1']}`)).status).toBe(200);
    expect((await local.api.patch(`/api/v1/runs/${ids['c1-13']}`, { status: 'FINISHED' })).status).toBe(200);
  }, 120_000);

  test('a search by parent reads the child index, and answers what the filter says', async () => {
    indexed = [];
    for (const body of cases()) indexed.push(await searchAll(body));
    for (const found of indexed) expect(found.plans[0]).toMatch(/^index: parent_run_id (=|IN)/);
    expect(indexed.flatMap((found) => found.plans).some((plan) => plan.includes('full read'))).toBe(false);

    const [byOne, byTwo, beside, nested, across, all, deleted, none] = indexed as Searched[];
    // Newest first, 5 a page. 24 of the experiment's 87 runs: reading their run items by key would cost 24 units,
    // the experiment's listing (runs by start time, about 400 bytes each) costs about 5.
    expect(byOne?.plans[0]).toBe('index: parent_run_id =, children listed');
    expect(byOne?.readUnits).toBeLessThan(24);
    expect(byOne?.pages.flat().sort()).toEqual(c1Names);
    expect(byOne?.pages.map((page) => page.length)).toEqual([5, 5, 5, 5, 4]);
    // Deleted c2-1 is not active; metric order puts the runs without `m` (every fifth) last.
    expect(byTwo?.pages.flat().length).toBe(24 + 7);
    expect(byTwo?.pages.flat().slice(-5).sort()).toEqual(['c1-04', 'c1-09', 'c1-14', 'c1-19', 'c2-4']);
    // m = ⌊i / 3⌋ / 8 > 0.5 from i = 15 on (not 19: no m), ascending.
    expect(beside?.pages.flat().sort()).toEqual([
      'c1-15',
      'c1-16',
      'c1-17',
      'c1-18',
      'c1-20',
      'c1-21',
      'c1-22',
      'c1-23',
    ]);
    expect(beside?.pages.flat().slice(0, 3).sort()).toEqual(['c1-15', 'c1-16', 'c1-17']);
    expect(nested?.pages.flat()).toEqual(['g-0', 'c1-18', 'c1-12', 'c1-06', 'c1-00']);
    // 4 children of the other experiment's 4 runs (and 24 of 87 here): its listing costs less than reading them by key.
    expect(across?.plans[0]).toBe('index: parent_run_id =, children listed');
    // c1-13 is FINISHED; x-1* are p1's children in the other experiment.
    expect(across?.pages.flat().sort()).toEqual([
      ...['c1-10', 'c1-11', 'c1-12', 'c1-14', 'c1-15', 'c1-16', 'c1-17', 'c1-18', 'c1-19'],
      ...['x-10', 'x-11', 'x-12', 'x-13'],
    ]);
    expect(all?.pages.flat().sort()).toEqual(['c2-0', 'c2-1', 'c2-2', 'c2-3', 'c2-4', 'c2-5', 'c2-6', 'c2-7']);
    expect(deleted?.pages.flat()).toEqual(['c2-1']);
    expect(none?.pages).toEqual([[]]);
  });

  test('a full read answers the same, page by page', async () => {
    // LIKE without a wildcard is equality, and has no index: the planner's other paths.
    const equalities = cases().flatMap((body, i) => (/\bparent_run_id = /.test(body.filter) ? [{ body, i }] : []));
    expect(equalities.length).toBeGreaterThan(4);
    for (const { body, i } of equalities) {
      const like = await searchAll({
        ...body,
        filter: body.filter.replace(/\bparent_run_id = /, 'parent_run_id LIKE '),
      });
      expect(like.plans[0]).not.toMatch(/parent_run_id/);
      expect(like.pages, body.filter).toEqual(indexed[i]?.pages);
    }
  });

  const childItems = async (experimentId: string) => {
    const { Items = [] } = await tableDocumentClient(local.stack).send(
      new QueryCommand({
        TableName: table(),
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': childRunsPartition('default', experimentId) },
      }),
    );
    return Items;
  };

  test('an experiment from before the index is read whole until npm run migrate indexes it, once', async () => {
    const documents = tableDocumentClient(local.stack);
    const byP2 = { experiment_ids: [experiments.main], filter: `parent_run_id = '${ids.p2}'` };
    const cheap = await searchAll(byP2);
    expect(cheap.plans).toEqual(['index: parent_run_id =']);

    // What the earlier version left: no child items, no mark.
    for (const experimentId of Object.values(experiments)) {
      const items = await childItems(experimentId);
      expect(items.length).toBe(experimentId === experiments.main ? 35 : 4);
      for (const item of items) expect(Object.keys(item).sort()).toEqual(['pk', 'sk']);
      for (let start = 0; start < items.length; start += 25) {
        const deletes = items.slice(start, start + 25).map(({ pk, sk }) => ({ DeleteRequest: { Key: { pk, sk } } }));
        await documents.send(new BatchWriteCommand({ RequestItems: { [table()]: deletes } }));
      }
      await documents.send(
        new UpdateCommand({
          TableName: table(),
          Key: experimentKey('default', experimentId),
          UpdateExpression: 'REMOVE childIndex',
        }),
      );
    }
    const full = await searchAll(byP2);
    expect(full.plans).toEqual(['index: parent_run_id =, children by full read']);
    expect(full.pages).toEqual(cheap.pages);
    for (const [i, body] of cases().entries()) {
      const found = await searchAll(body);
      expect(
        found.plans.every((plan) => plan.includes(', children by full read')),
        body.filter,
      ).toBe(true);
      expect(found.pages, body.filter).toEqual(indexed[i]?.pages);
    }

    const migrate = () =>
      run('npx', ['tsx', 'scripts/migrate.ts', '--table', table(), '--endpoint', local.stack.dynamoDbEndpoint], {
        env: { ...process.env, AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local' },
      });
    const first = await migrate();
    expect(first.stdout).toContain(`experiment ${experiments.main}: 35 child runs indexed`);
    expect(first.stdout).toContain(`experiment ${experiments.other}: 4 child runs indexed`);
    expect(first.stdout).toMatch(/child index: 2 experiments migrated \(\d+ already were\), 39 child runs indexed/);
    for (const experimentId of Object.values(experiments)) {
      const { Item } = await documents.send(
        new GetCommand({ TableName: table(), Key: experimentKey('default', experimentId) }),
      );
      expect(Item?.childIndex).toBe(true);
    }
    expect((await childItems(experiments.main)).length).toBe(35);
    const again = await migrate();
    expect(again.stdout).toMatch(/child index: 0 experiments migrated \(\d+ already were\), 0 child runs indexed/);

    const migrated = await searchAll(byP2);
    expect(migrated.plans).toEqual(['index: parent_run_id =']);
    expect(migrated.pages).toEqual(cheap.pages);
    for (const [i, body] of cases().entries()) {
      const found = await searchAll(body);
      expect(
        found.plans.some((plan) => plan.includes('full read')),
        body.filter,
      ).toBe(false);
      expect(found.pages, body.filter).toEqual(indexed[i]?.pages);
    }
    // 7 active children of 87 runs: a Query of the parent's range (half a unit), the 7 runs' two items (1 unit a
    // run), the experiment's item and the token's. What a search by parent read before the index, a full read,
    // loads every run's values item too (half a unit a run); the fallback above only the children's.
    const before = await searchAll({ ...byP2, filter: `parent_run_id LIKE '${ids.p2}'`, order_by: ['status'] });
    expect(before.plans).toEqual(['full: every run of the experiments']);
    expect(before.pages).toEqual(cheap.pages);
    expect(migrated.readUnits).toBeLessThanOrEqual(10);
    expect(before.readUnits).toBeGreaterThan(4 * migrated.readUnits);
  }, 120_000);

  test("MLflow's tags.mlflow.parentRunId is the same search", async () => {
    const viaMlflow = await searchAll(
      { experiment_ids: [experiments.main], filter: `tags.mlflow.parentRunId = '${ids.p1}'`, max_results: 5 },
      'mlflow',
    );
    expect(viaMlflow.plans[0]).toBe('index: parent_run_id =, children listed');
    expect(viaMlflow.pages).toEqual(indexed[0]?.pages);
    const quoted = await searchAll(
      {
        experiment_ids: [experiments.main],
        filter: `tags.\`mlflow.parentRunId\` IN ('${ids.p1}', '${ids.p2}')`,
        order_by: ['metrics.m DESC'],
        max_results: 7,
      },
      'mlflow',
    );
    // More children than the page: taken in the metric's order, as for any index (docs/search.md).
    expect(quoted.plans[0]).toBe('index: parent_run_id IN, children listed, in order: metrics.m');
    expect(quoted.pages).toEqual(indexed[1]?.pages);
    const fewer = await searchAll(
      { experiment_ids: [experiments.main], filter: `tags.mlflow.parentRunId = '${ids.p2}'`, max_results: 3 },
      'mlflow',
    );
    expect(fewer.plans).toEqual(['index: parent_run_id =', 'index: parent_run_id =', 'index: parent_run_id =']);
    expect(fewer.pages.flat().sort()).toEqual(c2Names.filter((name) => name !== 'c2-1'));
    expect(fewer.readUnits).toBeLessThanOrEqual(10);
  });

  test("MLflow's mlflow.parentRunId set, changed or deleted after a run began nests, moves and un-nests it", async () => {
    const made = await mlflow('experiments/create', { name: `late-parents-${Date.now()}` });
    expect(made.status, JSON.stringify(made.body)).toBe(200);
    const experimentId = made.body.experiment_id as string;
    const start = async (name: string) => {
      const response = await mlflow('runs/create', { experiment_id: experimentId, run_name: name });
      expect(response.status, JSON.stringify(response.body)).toBe(200);
      return response.body.run.info.run_id as string;
    };
    const [first, second, late] = [await start('first'), await start('second'), await start('late')];
    const childrenOf = async (parent: string) => {
      const found = await mlflow('runs/search', {
        experiment_ids: [experimentId],
        filter: `tags.mlflow.parentRunId = '${parent}'`,
      });
      expect(found.status, JSON.stringify(found.body)).toBe(200);
      expect(found.headers.get('x-stratus-search-plan')).toMatch(/^index: parent_run_id =/);
      return ((found.body.runs ?? []) as Array<{ info: { run_name: string } }>).map((r) => r.info.run_name);
    };
    const parentTag = async () => {
      const got = await local.api.get(`/api/2.0/mlflow/runs/get?run_id=${late}`);
      const tags = got.body.run.data.tags as Array<{ key: string; value: string }>;
      return tags.find((tag) => tag.key === 'mlflow.parentRunId')?.value;
    };
    const tag = { run_id: late, key: 'mlflow.parentRunId' };

    expect((await mlflow('runs/set-tag', { ...tag, value: first })).status).toBe(200);
    expect(await childrenOf(first)).toEqual(['late']);
    expect(await parentTag()).toBe(first);
    expect((await local.api.get(`/api/v1/runs/${late}`)).body.parent_run_id).toBe(first);

    // Moved by a log-batch's tag: one item left, under the new parent.
    expect((await mlflow('runs/log-batch', { run_id: late, tags: [{ ...tag, value: second }] })).status).toBe(200);
    expect(await childrenOf(first)).toEqual([]);
    expect(await childrenOf(second)).toEqual(['late']);
    expect((await childItems(experimentId)).map((item) => item.sk)).toEqual([
      childRunKey('default', experimentId, second, late).sk,
    ]);

    expect((await mlflow('runs/delete-tag', tag)).status).toBe(200);
    expect(await childrenOf(second)).toEqual([]);
    expect(await parentTag()).toBeUndefined();
    expect(await childItems(experimentId)).toEqual([]);
    // Gone, as any deleted tag: a second delete is MLflow's 404.
    const again = await mlflow('runs/delete-tag', tag);
    expect([again.status, again.body.error_code]).toEqual([404, 'RESOURCE_DOES_NOT_EXIST']);

    const itself = await mlflow('runs/set-tag', { ...tag, value: late });
    expect([itself.status, itself.body.error_code]).toEqual([400, 'INVALID_PARAMETER_VALUE']);
    const nowhere = await mlflow('runs/set-tag', { ...tag, value: '0123456789abcdef0123456789abcdef' });
    expect([nowhere.status, nowhere.body.error_code]).toEqual([404, 'RESOURCE_DOES_NOT_EXIST']);
    expect(await parentTag()).toBeUndefined();

    // A batch refused for its parent writes nothing else of itself: not the new name beside it, nor its params.
    const refused = await mlflow('runs/log-batch', {
      run_id: late,
      tags: [
        { key: 'mlflow.runName', value: 'renamed' },
        { ...tag, value: '0123456789abcdef0123456789abcdef' },
        { key: 'kind', value: 'sweep' },
      ],
      params: [{ key: 'lr', value: '0.1' }],
    });
    expect([refused.status, refused.body.error_code]).toEqual([404, 'RESOURCE_DOES_NOT_EXIST']);
    const unchanged = await local.api.get(`/api/2.0/mlflow/runs/get?run_id=${late}`);
    expect(unchanged.body.run.info.run_name).toBe('late');
    expect(unchanged.body.run.data.params ?? []).toEqual([]);
    expect((unchanged.body.run.data.tags as Array<{ key: string }>).map((t) => t.key)).not.toContain('kind');
    // Its name and parent together, when the parent exists.
    const both = await mlflow('runs/log-batch', {
      run_id: late,
      tags: [
        { key: 'mlflow.runName', value: 'renamed' },
        { ...tag, value: first },
      ],
    });
    expect(both.status, JSON.stringify(both.body)).toBe(200);
    expect(await childrenOf(first)).toEqual(['renamed']);

    // The parent under its child, by set-tag or in a batch: a loop, refused, and the parent stays top-level.
    const loopTag = { run_id: first, key: 'mlflow.parentRunId', value: late };
    const looped = await mlflow('runs/set-tag', loopTag);
    expect([looped.status, looped.body.error_code]).toEqual([400, 'INVALID_PARAMETER_VALUE']);
    expect(looped.body.message).toMatch(/parent_run_id: .*loop/);
    const loopedBatch = await mlflow('runs/log-batch', { run_id: first, tags: [{ key: loopTag.key, value: late }] });
    expect([loopedBatch.status, loopedBatch.body.error_code]).toEqual([400, 'INVALID_PARAMETER_VALUE']);
    expect((await local.api.get(`/api/v1/runs/${first}`)).body.parent_run_id).toBeUndefined();
  });

  test('/api/v1 nests, moves and un-nests a run after it began (PATCH parent_run_id), refusing a bad parent whole', async () => {
    const made = await local.api.post('/api/v1/experiments', { experiment_name: `v1-parents-${Date.now()}` });
    const experimentId = made.body.experiment_id as string;
    const start = async (name: string) =>
      (await local.api.post(`/api/v1/experiments/${experimentId}/runs`, { run_name: name })).body.run_id as string;
    const [first, second, late] = [await start('first'), await start('second'), await start('late')];
    const childrenOf = async (parent: string) => {
      const found = await local.api.post('/api/v1/runs/search', {
        experiment_ids: [experimentId],
        filter: `parent_run_id = '${parent}'`,
      });
      expect(found.status, JSON.stringify(found.body)).toBe(200);
      return (found.body.runs as Array<{ run_name: string }>).map((run) => run.run_name);
    };
    const patch = (body: Record<string, unknown>) => local.api.patch(`/api/v1/runs/${late}`, body);

    const nested = await patch({ parent_run_id: first });
    expect(nested.status, JSON.stringify(nested.body)).toBe(200);
    expect(nested.body.parent_run_id).toBe(first);
    expect(await childrenOf(first)).toEqual(['late']);

    const moved = await patch({ parent_run_id: second, run_name: 'moved' });
    expect([moved.status, moved.body.run_name, moved.body.parent_run_id]).toEqual([200, 'moved', second]);
    expect(await childrenOf(first)).toEqual([]);
    expect(await childrenOf(second)).toEqual(['moved']);

    // Refused whole: neither the name beside it nor the status changes.
    const missing = await patch({ parent_run_id: '0'.repeat(32), run_name: 'lost', status: 'FINISHED' });
    expect([missing.status, missing.body.error?.code]).toEqual([404, 'parent_run.not_found']);
    const itself = await patch({ parent_run_id: late });
    expect([itself.status, itself.body.error?.code]).toEqual([400, 'parent_run_id.invalid']);
    const malformed = await patch({ parent_run_id: 'not-a-run' });
    expect(malformed.status).toBe(400);
    expect(JSON.stringify(malformed.body)).toContain('parent_run_id');
    const after = await local.api.get(`/api/v1/runs/${late}`);
    expect([after.body.run_name, after.body.status, after.body.parent_run_id]).toEqual(['moved', 'RUNNING', second]);

    // Under its own child, or that child's child: a loop, refused whole, naming the field.
    const child = await start('child');
    const grandchild = await start('grandchild');
    expect((await local.api.patch(`/api/v1/runs/${child}`, { parent_run_id: late })).status).toBe(200);
    expect((await local.api.patch(`/api/v1/runs/${grandchild}`, { parent_run_id: child })).status).toBe(200);
    for (const below of [child, grandchild]) {
      const loop = await patch({ parent_run_id: below, run_name: 'looped' });
      expect([loop.status, loop.body.error?.code]).toEqual([400, 'parent_run_id.invalid']);
      expect(loop.body.error?.message).toMatch(/^parent_run_id: .*\(a loop\)$/);
    }
    const unlooped = await local.api.get(`/api/v1/runs/${late}`);
    expect([unlooped.body.run_name, unlooped.body.parent_run_id]).toEqual(['moved', second]);
    // Moving the grandchild up a level is no loop.
    expect((await local.api.patch(`/api/v1/runs/${grandchild}`, { parent_run_id: late })).status).toBe(200);
    expect((await childrenOf(late)).sort()).toEqual(['child', 'grandchild']);
    for (const run of [child, grandchild]) {
      expect((await local.api.patch(`/api/v1/runs/${run}`, { parent_run_id: null })).status).toBe(200);
    }

    const ended = await patch({ status: 'FINISHED', parent_run_id: null });
    expect([ended.status, ended.body.status, ended.body.parent_run_id]).toEqual([200, 'FINISHED', undefined]);
    expect(await childrenOf(second)).toEqual([]);
    expect(await childItems(experimentId)).toEqual([]);
  });

  test('a new parent is checked for a loop through up to 100 ancestors; deeper, the move is refused', async () => {
    // Each ancestor of the new parent is read to rule out a loop: a run goes under a parent with 100
    // ancestors, not under one with 101 (the field named).
    const made = await local.api.post('/api/v1/experiments', { experiment_name: `deep-parents-${Date.now()}` });
    const experimentId = made.body.experiment_id as string;
    const chain: string[] = [];
    for (let level = 0; level <= 101; level++) {
      const run = await local.api.post(`/api/v1/experiments/${experimentId}/runs`, {
        run_name: `level-${level}`,
        ...(level > 0 ? { parent_run_id: chain[level - 1] } : {}),
      });
      expect(run.status, JSON.stringify(run.body)).toBe(201);
      chain.push(run.body.run_id as string);
    }
    const mover = (await local.api.post(`/api/v1/experiments/${experimentId}/runs`, { run_name: 'mover' })).body
      .run_id as string;
    const move = (parent: string) => local.api.patch(`/api/v1/runs/${mover}`, { parent_run_id: parent });
    expect((await move(chain[100] as string)).status).toBe(200);
    const deep = await move(chain[101] as string);
    expect([deep.status, deep.body.error?.code]).toEqual([400, 'parent_run_id.invalid']);
    expect(deep.body.error?.message).toMatch(/^parent_run_id: .*over 100 runs deep/);
    expect((await local.api.get(`/api/v1/runs/${mover}`)).body.parent_run_id).toBe(chain[100]);
  });

  test('only a child run pays for its item: one write unit', async () => {
    const plain = await create(experiments.other, 'w-a', {});
    const child = await create(experiments.other, 'w-b', { parent_run_id: ids.p1 });
    expect(capacity(child, 'write')).toBe(capacity(plain, 'write') + 1);
    expect((await childItems(experiments.other)).length).toBe(5);
  });

  test('purging a run removes its child item, purging an experiment its child index', async () => {
    const documents = tableDocumentClient(local.stack);
    const item = async (experimentId: string, parent: string, child: string) =>
      (
        await documents.send(
          new GetCommand({
            TableName: table(),
            Key: childRunKey('default', experimentId, ids[parent] as string, ids[child] as string),
          }),
        )
      ).Item;
    expect(await item(experiments.main, 'p2', 'c2-2')).toBeDefined();
    expect((await local.api.delete(`/api/v1/runs/${ids['c2-2']}`)).status).toBe(200);
    expect((await local.api.post(`/api/v1/runs/${ids['c2-2']}/purge`, {})).status).toBe(200);
    expect(await item(experiments.main, 'p2', 'c2-2')).toBeUndefined();
    const left = await searchAll({
      experiment_ids: [experiments.main],
      filter: `parent_run_id = '${ids.p2}'`,
      lifecycle: 'all',
    });
    expect(left.pages.flat().sort()).toEqual(c2Names.filter((name) => name !== 'c2-2'));
    expect((await childItems(experiments.main)).length).toBe(34);

    expect((await local.api.delete(`/api/v1/experiments/${experiments.other}`)).status).toBe(200);
    const purged = await local.api.post(`/api/v1/experiments/${experiments.other}/purge`, {});
    expect(purged.status, JSON.stringify(purged.body)).toBe(200);
    expect(await childItems(experiments.other)).toEqual([]);
  });
});
