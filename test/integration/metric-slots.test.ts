import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, test } from 'vitest';
import { encodeSortableNumber } from '../../shared/domain/search/sortable-number.ts';
import { newId, systemClock } from '../../shared/ids.ts';
import { ExperimentRepository } from '../../shared/storage/experiment-repository.ts';
import { experimentKey, metricIndexPartition, metricSlotPartition, runValuesKey } from '../../shared/storage/keys.ts';
import { MetricRepository } from '../../shared/storage/metric-repository.ts';
import { MetricSlots } from '../../shared/storage/metric-slots.ts';
import { RunRepository } from '../../shared/storage/run-repository.ts';
import { SearchRepository } from '../../shared/storage/search-repository.ts';
import { MAX_METRIC_INDEX_SLOTS, metricSlotIndex } from '../../shared/storage/table-definition.ts';
import type { TrackingDeps } from '../../shared/use-cases/deps.ts';
import { logBatch } from '../../shared/use-cases/log-batch.ts';
import { startRun } from '../../shared/use-cases/runs.ts';
import { tableDocumentClient, useTestStack } from '../support/local-api.ts';
import { searchPages } from '../support/search-pages.ts';
import { seededRandom } from '../support/seeded-random.ts';

/**
 * Metric slots (docs/search.md): an experiment's first metric keys are
 * indexed on the item holding each run's latest value, through one GSI per
 * slot, instead of by index items of their own. Every search must find a run
 * whichever way its value is indexed: a slot, an index item (keys past the
 * slots, runs from before them, a writer that raced the slot's assignment),
 * or both kinds in one experiment. Searches are checked against a plain
 * evaluation of what was logged.
 */
const local = useTestStack();
const scope = { workspace: 'default' };

/** Use-case wiring on the test stack's table, with `slots` slot GSIs (0: a writer from before them). */
function depsWith(slots: number): TrackingDeps {
  const client = tableDocumentClient(local.stack);
  const table = local.stack.tableName;
  const metricSlots = new MetricSlots(client, table, slots);
  return {
    experiments: new ExperimentRepository(client, table),
    runs: new RunRepository(client, table),
    metrics: new MetricRepository(client, table),
    metricSlots,
    search: new SearchRepository(client, table, metricSlots),
    clock: systemClock,
    newId,
  };
}

async function newExperiment(name: string): Promise<string> {
  const created = await local.api.post('/api/v1/experiments', { experiment_name: `${name}-${newId().slice(0, 8)}` });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body.experiment_id;
}

/** Every run a search finds, in its order, page after page (`max_results` small, so pages cross both kinds of entry). */
const searchAll = async (experimentId: string, filter: string, orderBy: string[] = []) =>
  (await searchPages(local.api, experimentId, filter, { orderBy, pageSize: 7 })).ids;

const indexItems = async (experimentId: string, key: string) =>
  (
    await tableDocumentClient(local.stack).send(
      new QueryCommand({
        TableName: local.stack.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': metricIndexPartition('default', experimentId, key) },
      }),
    )
  ).Items ?? [];

const valuesItem = async (runId: string) =>
  (
    await tableDocumentClient(local.stack).send(
      new GetCommand({ TableName: local.stack.tableName, Key: runValuesKey('default', runId) }),
    )
  ).Item ?? {};

const experimentSlots = async (experimentId: string) =>
  (
    await tableDocumentClient(local.stack).send(
      new GetCommand({ TableName: local.stack.tableName, Key: experimentKey('default', experimentId) }),
    )
  ).Item ?? {};

interface Logged {
  runId: string;
  startTime: number;
  values: Map<string, number>;
  lr: string;
}

/** Runs in the order a search ordered by `key` gives them: runs without it last, ties newest first, then by id. */
const orderedBy = (logged: readonly Logged[], key: string, descending: boolean) => {
  const tie = (a: Logged, b: Logged) => b.startTime - a.startTime || (a.runId < b.runId ? -1 : 1);
  const withKey = logged.filter((run) => run.values.has(key));
  const without = logged.filter((run) => !run.values.has(key)).sort(tie);
  const value = (run: Logged) => run.values.get(key) as number;
  withKey.sort((a, b) => (value(a) - value(b)) * (descending ? -1 : 1) || tie(a, b));
  return [...withKey, ...without];
};

describe('metric slots', () => {
  test("a run's first metrics are indexed on its values item: no index items, and searches find them", async () => {
    const experimentId = await newExperiment('slots');
    const created = await local.api.post('/api/v1/runs', {
      experiment_id: experimentId,
      params: { lr: '0.1' },
      metrics: [
        { key: 'loss', value: 0.5, step: 0 },
        { key: 'acc', value: 0.75, step: 0 },
      ],
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const runId: string = created.body.run_id;

    const slots = (await experimentSlots(experimentId)).metricSlots as Record<string, number>;
    expect(Object.keys(slots).sort()).toEqual(['acc', 'loss']);
    expect(new Set(Object.values(slots)).size).toBe(2);
    const values = await valuesItem(runId);
    for (const [key, slot] of Object.entries(slots)) {
      const index = metricSlotIndex(slot);
      expect(values[index.partitionKey]).toBe(metricSlotPartition('default', experimentId, key));
      expect(values[index.sortKey]).toBe(`${encodeSortableNumber(key === 'loss' ? 0.5 : 0.75)}#`);
      expect((values.metrics as Record<string, { x?: number }>)[key]?.x).toBe(slot);
    }
    expect(values.p).toBeInstanceOf(Uint8Array);
    expect(await indexItems(experimentId, 'loss')).toEqual([]);

    expect(await searchAll(experimentId, 'metrics.loss < 0.6')).toEqual([runId]);
    expect(await searchAll(experimentId, 'metrics.loss > 0.6')).toEqual([]);
    // Bounds at the value itself, inclusive and not, from either side.
    expect(await searchAll(experimentId, 'metrics.loss < 0.5')).toEqual([]);
    expect(await searchAll(experimentId, 'metrics.loss <= 0.5')).toEqual([runId]);
    expect(await searchAll(experimentId, 'metrics.loss > 0.5')).toEqual([]);
    expect(await searchAll(experimentId, 'metrics.loss >= 0.5')).toEqual([runId]);
    expect(await searchAll(experimentId, 'metrics.loss = 0.5')).toEqual([runId]);
    expect(await searchAll(experimentId, "params.lr = '0.1' AND metrics.acc >= 0.75")).toEqual([runId]);
    expect(await searchAll(experimentId, "params.lr = '0.2' AND metrics.acc >= 0.75")).toEqual([]);

    // A later value moves the entry in the same write: the old value no longer matches.
    const logged = await local.api.post(`/api/v1/runs/${runId}/batch`, {
      metrics: [{ key: 'loss', value: 0.9, step: 1 }],
    });
    expect(logged.status, JSON.stringify(logged.body)).toBe(200);
    expect(await searchAll(experimentId, 'metrics.loss < 0.6')).toEqual([]);
    expect(await searchAll(experimentId, 'metrics.loss > 0.6')).toEqual([runId]);
    expect(await indexItems(experimentId, 'loss')).toEqual([]);
  });

  test('runs indexed every way in one experiment: searches and orders agree with a plain evaluation', async () => {
    const random = seededRandom(5);
    const experimentId = await newExperiment('mixed');
    const before = depsWith(0);
    const now = depsWith(MAX_METRIC_INDEX_SLOTS);
    // More keys than slots: the last ones are indexed by items even for new runs.
    const keys = Array.from({ length: MAX_METRIC_INDEX_SLOTS + 2 }, (_, i) => `m${String(i).padStart(2, '0')}`);
    const logged: Logged[] = [];
    const logRun = async (deps: TrackingDeps, how: 'at creation' | 'in a batch') => {
      const lr = String(Math.floor(random() * 3) / 10);
      const mine = keys.filter(() => random() < 0.7);
      const points = mine.map((key) => ({ key, value: Math.round(random() * 1000) / 1000, step: 0 }));
      const run =
        how === 'at creation'
          ? await startRun(scope, experimentId, { params: { lr }, metrics: points }, deps)
          : await startRun(scope, experimentId, {}, deps);
      const { runId, startTime } = run;
      if (how === 'in a batch') await logBatch(scope, runId, { params: { lr }, metrics: points }, deps);
      // Half of them log a later value of some keys.
      const later = points.filter(() => random() < 0.3).map((point) => ({ ...point, value: point.value + 1, step: 1 }));
      if (later.length > 0) await logBatch(scope, runId, { metrics: later }, deps);
      const values = new Map(points.map((point) => [point.key, point.value]));
      for (const point of later) values.set(point.key, point.value);
      logged.push({ runId, startTime, values, lr });
    };
    // Runs from before slots, then runs with them, some concurrently, then from before again (a writer that
    // read no slot): each kind is in the same experiment.
    for (let i = 0; i < 6; i++) await logRun(before, i % 2 ? 'at creation' : 'in a batch');
    await Promise.all(Array.from({ length: 8 }, (_, i) => logRun(now, i % 2 ? 'at creation' : 'in a batch')));
    for (let i = 0; i < 4; i++) await logRun(before, 'in a batch');

    const slots = (await experimentSlots(experimentId)).metricSlots as Record<string, number>;
    expect(Object.keys(slots)).toHaveLength(MAX_METRIC_INDEX_SLOTS);
    expect(new Set(Object.values(slots)).size).toBe(MAX_METRIC_INDEX_SLOTS);
    const slotted = keys.find((key) => slots[key] !== undefined) as string;
    const unslotted = keys.find((key) => slots[key] === undefined) as string;
    expect(unslotted).toBeDefined();

    for (const key of [slotted, unslotted]) {
      for (const descending of [false, true]) {
        expect(await searchAll(experimentId, '', [`metrics.${key} ${descending ? 'DESC' : 'ASC'}`])).toEqual(
          orderedBy(logged, key, descending).map((run) => run.runId),
        );
      }
      for (const threshold of [0.25, 0.5, 1.2]) {
        const expected = logged.filter((run) => (run.values.get(key) ?? -Infinity) > threshold).map((r) => r.runId);
        expect((await searchAll(experimentId, `metrics.${key} > ${threshold}`)).sort()).toEqual(expected.sort());
        const withParam = logged
          .filter((run) => run.lr === '0.1' && (run.values.get(key) ?? -Infinity) > threshold)
          .map((r) => r.runId);
        expect((await searchAll(experimentId, `params.lr = '0.1' AND metrics.${key} > ${threshold}`)).sort()).toEqual(
          withParam.sort(),
        );
      }
    }
  });

  test('racing runs give each new key one slot, and a purged run leaves no entry behind', async () => {
    const experimentId = await newExperiment('race');
    const deps = depsWith(MAX_METRIC_INDEX_SLOTS);
    const runs = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        startRun(
          scope,
          experimentId,
          { metrics: ['a', 'b', 'c', `own${i}`].map((key, k) => ({ key, value: i * 10 + k, step: 0 })) },
          deps,
        ),
      ),
    );
    const slots = (await experimentSlots(experimentId)).metricSlots as Record<string, number>;
    expect(Object.keys(slots).sort()).toEqual(['a', 'b', 'c', ...runs.map((_, i) => `own${i}`)].sort());
    expect(new Set(Object.values(slots)).size).toBe(Object.keys(slots).length);
    for (const run of runs) {
      const values = await valuesItem(run.runId);
      for (const key of ['a', 'b', 'c']) {
        expect((values.metrics as Record<string, { x?: number }>)[key]?.x).toBe(slots[key]);
      }
    }
    expect((await searchAll(experimentId, 'metrics.a >= 0')).sort()).toEqual(runs.map((run) => run.runId).sort());

    const purged = runs[0]?.runId as string;
    expect((await local.api.delete(`/api/v1/runs/${purged}`)).status).toBe(200);
    const purge = await local.api.post(`/api/v1/runs/${purged}/purge`, {});
    expect(purge.status, JSON.stringify(purge.body)).toBe(200);
    const index = metricSlotIndex(slots.a as number);
    const left = await tableDocumentClient(local.stack).send(
      new QueryCommand({
        TableName: local.stack.tableName,
        IndexName: index.indexName,
        KeyConditionExpression: `${index.partitionKey} = :pk`,
        ExpressionAttributeValues: { ':pk': metricSlotPartition('default', experimentId, 'a') },
      }),
    );
    expect((left.Items ?? []).map((item) => (item.pk as string).slice(-32)).sort()).toEqual(
      runs
        .slice(1)
        .map((run) => run.runId)
        .sort(),
    );
  });
});
