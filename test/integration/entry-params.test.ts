import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, test } from 'vitest';
import { experimentKey } from '../../shared/storage/keys.ts';
import { RunRepository } from '../../shared/storage/run-repository.ts';
import { firstEntry } from '../../shared/use-cases/log-batch.ts';
import { tableDocumentClient, useTestStack } from '../support/local-api.ts';
import { searchAllPages } from '../support/search-pages.ts';
import { seededRandom } from '../support/seeded-random.ts';

/**
 * Metric index entries carry their run's param digests, so a param equality
 * beside a metric clause is checked on the entries the metric clause reads,
 * not on the experiment's param rows (docs/search.md, "Params on metric
 * entries"). A run that gets params after its first metrics has entries
 * without them: its experiment goes back to param rows. Searches are compared
 * with a plain evaluation of the filter over what was logged, every way a run
 * can get its params and metrics.
 */
const local = useTestStack();

interface Logged {
  runId: string;
  params: Record<string, string>;
  acc: number;
}

const search = (experimentId: string, filter: string) => searchAllPages(local.api, experimentId, filter);

const expected = (logged: readonly Logged[], keep: (run: Logged) => boolean) =>
  logged
    .filter(keep)
    .map((run) => run.runId)
    .sort();

async function experimentItem(experimentId: string) {
  const { Item } = await tableDocumentClient(local.stack).send(
    new GetCommand({ TableName: local.stack.tableName, Key: experimentKey('default', experimentId) }),
  );
  return Item ?? {};
}

/** Param = + metric threshold filters over p0..p3 in {a, b, c, d} and acc in [0, 1]. */
function filters(random: () => number): Array<[string, (run: Logged) => boolean]> {
  const pick = <T>(values: readonly T[]) => values[Math.floor(random() * values.length)] as T;
  const checks: Array<[string, (run: Logged) => boolean]> = [];
  for (let i = 0; i < 6; i++) {
    const key = `p${Math.floor(random() * 4)}`;
    const value = pick(['a', 'b', 'c', 'd']);
    const other = pick(['a', 'b', 'c', 'd']);
    const threshold = Math.round(random() * 100) / 100;
    checks.push(
      [
        `params.${key} = '${value}' AND metrics.acc > ${threshold}`,
        (run) => run.params[key] === value && run.acc > threshold,
      ],
      [
        `params.${key} IN ('${value}', '${other}') AND metrics.acc <= ${threshold}`,
        (run) => [value, other].includes(run.params[key] as string) && run.acc <= threshold,
      ],
      [
        `params.p0 = '${other}' AND params.${key} = '${value}' AND metrics.acc >= 0`,
        (run) => run.params.p0 === other && run.params[key] === value,
      ],
    );
  }
  return checks;
}

describe('params on metric index entries', () => {
  test('param and metric searches agree with a plain evaluation, answered from the entries', async () => {
    const random = seededRandom(11);
    const pick = <T>(values: readonly T[]) => values[Math.floor(random() * values.length)] as T;
    const paramsOf = () =>
      Object.fromEntries(
        Array.from({ length: 1 + Math.floor(random() * 4) }, (_, i) => [`p${i}`, pick(['a', 'b', 'c', 'd'])]),
      );
    const experimentId: string = (await local.api.post('/api/v1/experiments', { experiment_name: 'entry-params' })).body
      .experiment_id;
    const logged: Logged[] = [];
    // Every way a run gets params no later than its first metrics: with them at creation (v1), created bare and
    // given both in one batch (MLflow clients), params first then metrics, and metrics that move later.
    const ways = ['create-with-all', 'bare-then-batch', 'params-then-metrics', 'moving-metric'] as const;
    await Promise.all(
      Array.from({ length: 6 }, async () => {
        for (let i = 0; i < 8; i++) {
          const way = pick(ways);
          const params = paramsOf();
          const acc = Math.round(random() * 100) / 100;
          const metrics = [{ key: 'acc', value: acc, step: 1 }];
          const created = await local.api.post('/api/v1/runs', {
            experiment_id: experimentId,
            ...(way === 'create-with-all' ? { params, metrics } : {}),
          });
          expect(created.status).toBe(201);
          const runId: string = created.body.run_id;
          const batch = (body: object) => local.api.post(`/api/v1/runs/${runId}/batch`, body);
          if (way === 'bare-then-batch') expect((await batch({ params, metrics })).status).toBe(200);
          if (way === 'params-then-metrics' || way === 'moving-metric') {
            expect((await batch({ params })).status).toBe(200);
            // A value that moves writes a new entry (and drops the old one): it carries the params too.
            if (way === 'moving-metric') {
              expect((await batch({ metrics: [{ key: 'acc', value: 1 - acc, step: 0 }] })).status).toBe(200);
            }
            expect((await batch({ metrics })).status).toBe(200);
          }
          logged.push({ runId, params, acc });
        }
      }),
    );
    expect((await experimentItem(experimentId)).entryParams).toBe(true);
    for (const [filter, keep] of filters(random)) {
      const found = await search(experimentId, filter);
      expect(found.ids, filter).toEqual(expected(logged, keep));
      expect(found.plan, filter).toMatch(/params from its entries/);
    }

    // A run given a param after its first metrics: its entries lack it, so param rows answer from now on.
    const late = logged[0] as Logged;
    late.params.p3 = 'late';
    expect((await local.api.post(`/api/v1/runs/${late.runId}/batch`, { params: { p3: 'late' } })).status).toBe(200);
    expect((await experimentItem(experimentId)).entryParams).toBeUndefined();
    const found = await search(experimentId, "params.p3 = 'late' AND metrics.acc >= 0");
    expect(found.ids).toEqual([late.runId]);
    expect(found.plan).not.toMatch(/from its entries/);
    for (const [filter, keep] of filters(random)) {
      expect((await search(experimentId, filter)).ids, filter).toEqual(expected(logged, keep));
    }
  }, 240_000);

  test('an experiment from before (no mark) reads its param rows', async () => {
    const experimentId: string = (await local.api.post('/api/v1/experiments', { experiment_name: 'entry-params-old' }))
      .body.experiment_id;
    const created = await local.api.post('/api/v1/runs', {
      experiment_id: experimentId,
      params: { p0: 'a' },
      metrics: [{ key: 'acc', value: 0.5 }],
    });
    await tableDocumentClient(local.stack).send(
      new UpdateCommand({
        TableName: local.stack.tableName,
        Key: experimentKey('default', experimentId),
        UpdateExpression: 'REMOVE entryParams',
      }),
    );
    const found = await search(experimentId, "params.p0 = 'a' AND metrics.acc > 0");
    expect(found.ids).toEqual([created.body.run_id]);
    expect(found.plan).not.toMatch(/from its entries/);
  });

  test('a first metric and a param that race: the later write is refused as stale and tried again', async () => {
    const runs = new RunRepository(tableDocumentClient(local.stack), local.stack.tableName);
    const experimentId: string = (await local.api.post('/api/v1/experiments', { experiment_name: 'entry-params-race' }))
      .body.experiment_id;
    const bare = async () =>
      (await local.api.post('/api/v1/runs', { experiment_id: experimentId })).body.run_id as string;

    // Metrics read the run without params; a param lands; their first keys' entries would lack it.
    const first = await bare();
    const readByMetrics = await runs.readState('default', first);
    expect((await local.api.post(`/api/v1/runs/${first}/batch`, { params: { p0: 'a' } })).status).toBe(200);
    const newMetrics = new Map([['acc', firstEntry([{ step: 0, timestamp: 1, value: 0.5 }], 'b1').entry]]);
    expect(await runs.commit('default', first, readByMetrics!, { newMetrics })).toBe('stale');

    // A param reads the run without metric keys; a first metric lands, whose entries do not hold the param.
    const second = await bare();
    const readByParams = await runs.readState('default', second);
    expect(
      (await local.api.post(`/api/v1/runs/${second}/batch`, { metrics: [{ key: 'acc', value: 0.5 }] })).status,
    ).toBe(200);
    expect(await runs.commit('default', second, readByParams!, { params: new Map([['p0', 'a']]) })).toBe('stale');
    expect((await experimentItem(experimentId)).entryParams).toBe(true);

    // Through the API both requests land, and the param is found beside the metric.
    expect((await local.api.post(`/api/v1/runs/${second}/batch`, { params: { p0: 'a' } })).status).toBe(200);
    expect((await experimentItem(experimentId)).entryParams).toBeUndefined();
    expect((await search(experimentId, "params.p0 = 'a' AND metrics.acc > 0")).ids).toEqual([second]);
  });
});
