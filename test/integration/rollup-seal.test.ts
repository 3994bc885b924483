import { beforeAll, describe, expect, test } from 'vitest';
import type { MetricPoint } from '../../shared/domain/metric-chunk.ts';
import { levelOneBuckets, MAX_ROLLUP_LEVEL, parentBuckets, ROLLUP_BLOCK_STEPS } from '../../shared/domain/rollup.ts';
import { newId } from '../../shared/ids.ts';
import { withCapacityMeter } from '../../shared/storage/capacity.ts';
import { usePageTokenSecret } from '../../shared/storage/cursor.ts';
import { createDocumentClient } from '../../shared/storage/dynamo-client.ts';
import { ExperimentRepository } from '../../shared/storage/experiment-repository.ts';
import { MetricRepository } from '../../shared/storage/metric-repository.ts';
import { MetricSlots } from '../../shared/storage/metric-slots.ts';
import { RunRepository, type StoredMetricEntry } from '../../shared/storage/run-repository.ts';
import { SearchRepository } from '../../shared/storage/search-repository.ts';
import type { TrackingDeps } from '../../shared/use-cases/deps.ts';
import { logBatch } from '../../shared/use-cases/log-batch.ts';
import { getMetricHistory } from '../../shared/use-cases/metrics.ts';
import { endRun, startRunInExperimentNamed } from '../../shared/use-cases/runs.ts';
import { referenceDownsample, triple } from '../support/downsample-reference.ts';
import { useTestStack } from '../support/local-api.ts';
import { seededRandom } from '../support/seeded-random.ts';

/**
 * Rollup seals under concurrent writers (shared/use-cases/rollups.ts), through
 * the use cases on DynamoDB Local with a clock of the test's own, so that
 * seals happen when the test wants them. Storage calls are observed to land a
 * batch at the worst moment of a seal: after it read the raw points, before it
 * moved the frontier. Every answer is checked against the brute-force reference.
 */
const local = useTestStack();
const scope = { workspace: 'default' };

/** Raw reads of points (how many came back), rollup items read, and hooks into a seal. */
class ObservedMetrics extends MetricRepository {
  /** Runs once, right after the next consistent raw read (a seal's). */
  afterSealRead: (() => Promise<void>) | undefined;
  /** Called once, after the next chunk write. */
  chunksWritten: (() => void) | undefined;
  /** Holds the next consistent raw read until released; `reached` is called when it starts waiting. */
  readGate: { release: Promise<void>; reached: () => void } | undefined;
  rawPointsRead = 0;
  rollupItemsRead = 0;

  override async pointsInRange(...args: Parameters<MetricRepository['pointsInRange']>) {
    const gate = args[3].consistent ? this.readGate : undefined;
    if (gate) {
      this.readGate = undefined;
      gate.reached();
      await gate.release;
    }
    const points = await super.pointsInRange(...args);
    this.rawPointsRead += points.length;
    const hook = this.afterSealRead;
    if (hook && args[3].consistent) {
      this.afterSealRead = undefined;
      await hook();
    }
    return points;
  }

  override async writeChunks(...args: Parameters<MetricRepository['writeChunks']>) {
    await super.writeChunks(...args);
    const written = this.chunksWritten;
    this.chunksWritten = undefined;
    written?.();
  }

  override async rollupItems(...args: Parameters<MetricRepository['rollupItems']>) {
    const found = await super.rollupItems(...args);
    this.rollupItemsRead += found.size;
    return found;
  }
}

/** Holds the next batch's record until released; tells when a frontier move was tried, and where seals took it. */
class ObservedRuns extends RunRepository {
  recordGate: Promise<void> | undefined;
  frontierMoved: (() => void) | undefined;
  /** Runs once, before the next seal that moved nothing gives its claim back. */
  beforeRelease: (() => Promise<void>) | undefined;
  /** Every frontier a seal reached, in order. */
  reached: number[] = [];

  override async recordBatch(...args: Parameters<RunRepository['recordBatch']>) {
    const gate = this.recordGate;
    this.recordGate = undefined;
    if (gate) await gate;
    return super.recordBatch(...args);
  }

  override async advanceFrontier(...args: Parameters<RunRepository['advanceFrontier']>) {
    const moved = await super.advanceFrontier(...args);
    if (moved !== undefined) this.reached.push(moved.f);
    const tell = this.frontierMoved;
    this.frontierMoved = undefined;
    tell?.();
    return moved;
  }

  override async releaseSeal(...args: Parameters<RunRepository['releaseSeal']>) {
    const hook = this.beforeRelease;
    this.beforeRelease = undefined;
    await hook?.();
    return super.releaseSeal(...args);
  }
}

let now = 1_800_000_000_000;
let metrics: ObservedMetrics;
let runs: ObservedRuns;
let deps: TrackingDeps;

beforeAll(() => {
  usePageTokenSecret(async () => 'rollup-seal-test-page-token-secret-0123456789');
  const client = createDocumentClient({ region: 'us-east-1', endpoint: local.stack.dynamoDbEndpoint });
  const table = local.stack.tableName;
  metrics = new ObservedMetrics(client, table);
  runs = new ObservedRuns(client, table);
  deps = {
    experiments: new ExperimentRepository(client, table),
    runs,
    metrics,
    metricSlots: new MetricSlots(client, table),
    search: new SearchRepository(client, table),
    clock: { now: () => now },
    newId,
  };
});

/** Past the seal interval: the next batch may claim a seal. */
const tick = () => {
  now += 1500;
};

function deferred() {
  let resolve = () => {};
  const promise = new Promise<void>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

async function newRun() {
  const run = await startRunInExperimentNamed(scope, 'rollup-seals', {}, deps);
  const runId = run.runId;
  const sent: MetricPoint[] = [];
  let written = 0;
  const send = async (points: MetricPoint[]) => {
    sent.push(...points);
    await logBatch(
      scope,
      runId,
      { metrics: points.map((point) => ({ key: 'loss', ...point })), idempotencyKey: `batch-${runId}-${written++}` },
      deps,
    );
  };
  const entry = async () => {
    const state = await deps.runs.readState(scope.workspace, runId, { metricPages: true });
    const found = state?.metrics.entries.get('loss')?.value;
    if (!found) throw new Error('no entry');
    return found;
  };
  /** The stored history holds every point sent, and max_points answers match the reference over it. */
  const check = async (queries: Array<[start: number | undefined, end: number | undefined, maxPoints: number]>) => {
    const history: MetricPoint[] = [];
    let pageToken: string | undefined;
    do {
      const page = await getMetricHistory(scope, runId, 'loss', { limit: 10_000, pageToken }, deps);
      history.push(...page.points);
      pageToken = page.cursor;
    } while (pageToken);
    expect(history.map(triple).sort()).toEqual(sent.map(triple).sort());
    for (const [startStep, endStep, maxPoints] of queries) {
      const answer = await getMetricHistory(scope, runId, 'loss', { limit: 1, startStep, endStep, maxPoints }, deps);
      const expected = referenceDownsample(
        history,
        startStep ?? Number.MIN_SAFE_INTEGER,
        endStep ?? Number.MAX_SAFE_INTEGER,
        maxPoints,
      );
      expect(answer.points.map(triple), `max_points=${maxPoints} [${startStep}, ${endStep}]`).toEqual(
        expected.map(triple),
      );
    }
  };
  return { runId, send, entry, check };
}

/** Points at these steps; values with a spike and a dip so that min and max matter. */
const steps = (from: number, to: number, salt = 0): MetricPoint[] =>
  Array.from({ length: to - from }, (_, i) => {
    const step = from + i;
    const value = step % 997 === 13 ? 40 + salt : step % 991 === 7 ? -40 - salt : Math.cos(step / 37 + salt) + salt;
    return { step, timestamp: 1_700_000_000_000 + step * 10 + salt, value };
  });

const queries: Array<[number | undefined, number | undefined, number]> = [
  [undefined, undefined, 1000],
  [undefined, undefined, 100],
  [900, 6543, 300],
  [2000, undefined, 5],
];

describe('rollup seals under concurrent writers', () => {
  test('a batch landing during a seal holds the frontier back only from its own block up; its sealer seals again', async () => {
    const { send, entry, check } = await newRun();
    runs.reached = [];
    // The first batch's seal (target 2048) reads; meanwhile a batch above the target is recorded. The frontier
    // reaches the target, and as that batch left the sealing to this seal, its writer seals again at once.
    metrics.afterSealRead = () => send(steps(3000, 4000));
    await send(steps(0, 3000).filter((point) => point.step < 1000 || point.step >= 1100));
    expect(runs.reached).toEqual([2048, 3072]);
    await check(queries);

    // The next seal (window [3072, 5120)): a batch rewriting steps 4000-4099 is recorded meanwhile, so the
    // frontier stops at that block's start, 3584; the next round takes it to the target.
    tick();
    runs.reached = [];
    metrics.afterSealRead = () => send(steps(4000, 4100, 1));
    await send(steps(5000, 6000));
    expect(runs.reached).toEqual([3584, 5120]);
    await check(queries);

    // Late points below the frontier (the hole at 1000-1099) recorded during a seal: blocks 1 and 2 are marked
    // dirty and the frontier stays (readers read those blocks raw meanwhile) ...
    tick();
    runs.reached = [];
    metrics.afterSealRead = () => send(steps(1000, 1100));
    let dirty: StoredMetricEntry | undefined;
    runs.beforeRelease = async () => {
      dirty = await entry();
      await check(queries);
    };
    await send(steps(6000, 7000));
    expect(dirty).toMatchObject({ f: 5120, d: [1, 2] });
    // ... and the next round rebuilds them and catches up.
    expect(runs.reached).toEqual([6144]);
    const caughtUp = await entry();
    expect(caughtUp.f).toBe(6144);
    expect(caughtUp.d).toBeUndefined();
    await check(queries);
  });

  test('a batch read by no seal and recorded after the frontier passed its steps marks their blocks dirty', async () => {
    const { send, entry, check } = await newRun();
    await send(steps(0, 3000));
    expect((await entry()).f).toBe(2048);
    tick();
    // During the seal of [2048, 3584): a batch rewriting steps 2500-2599 writes its chunks after the seal's read,
    // and its record waits until the frontier moved.
    let late: Promise<void> | undefined;
    metrics.afterSealRead = async () => {
      const moved = deferred();
      const chunks = deferred();
      runs.recordGate = moved.promise;
      runs.frontierMoved = moved.resolve;
      metrics.chunksWritten = chunks.resolve;
      late = send(steps(2500, 2600, 2));
      await chunks.promise;
    };
    await send(steps(3000, 4200));
    await late;
    // Its record found the frontier moved and started again: steps 2500-2599 are in blocks 4 and 5.
    expect(await entry()).toMatchObject({ f: 3584, d: [4, 5] });
    await check(queries);
    // The next seal rebuilds them.
    tick();
    await send(steps(4200, 4300));
    expect((await entry()).d).toBeUndefined();
    await check(queries);
  });

  test('points the frontier passed between their batch read and its record are in every summary above them', async () => {
    const { send, entry, check } = await newRun();
    await send(steps(0, 3000));
    expect((await entry()).f).toBe(2048);
    tick();
    // During the seal of [2048, 3584): a batch rewriting steps 2100-2199 reads the run (its points are not late:
    // the frontier is 2048), writes its chunks after the seal's read, and records once the frontier moved.
    // Whatever its writer then does about those points waits, if it reads raw points, until the next seal is done.
    let late: Promise<void> | undefined;
    const nextSealDone = deferred();
    const lateWriterWaits = deferred();
    metrics.afterSealRead = async () => {
      const moved = deferred();
      const chunks = deferred();
      runs.recordGate = moved.promise;
      runs.frontierMoved = () => {
        metrics.readGate = { release: nextSealDone.promise, reached: lateWriterWaits.resolve };
        moved.resolve();
      };
      metrics.chunksWritten = chunks.resolve;
      late = send(steps(2100, 2200, 2));
      await chunks.promise;
    };
    await send(steps(3000, 4200));
    expect((await entry()).f).toBe(3584);
    await Promise.race([lateWriterWaits.promise, late]);
    metrics.readGate = undefined;
    // The next seal (from 3584) builds the items of [2048, 4096) and above, over the block of those points.
    tick();
    await send(steps(4200, 5200));
    expect((await entry()).f).toBeGreaterThanOrEqual(4096);
    nextSealDone.resolve();
    await late;
    // Charts of 64- and 128-step buckets read those items.
    await check([...queries, [0, 8191, 100], [2048, 4095, 40]]);
  });

  test('a seal whose parent loses to a newer put rebuilds it from the stored children', async () => {
    const { runId, send, entry, check } = await newRun();
    // The key starts at step 1000, so its frontier starts at 512: block 0 was never sealed. The first seal
    // takes the frontier to 3072 (the level-2 item of blocks 0-1 holds block 1 only, as block 0 is empty).
    await send(steps(1000, 4000));
    expect((await entry()).f).toBe(3072);
    // Steps 0-999 arrive late: blocks 0 and 1 are marked dirty, and the next batch's seal reads them. Right
    // after that read, another sealer (one that took over a lease this seal outlived) puts block 1 under a newer
    // batch counter and its parent while block 0 has no item yet: that parent is newer than this seal's on
    // block 1's side and older on block 0's, so this seal's put of it is refused. Before the fix the seal then
    // cleared the dirty marks over a parent without block 0, and charts lost block 0 for good.
    tick();
    await send(steps(0, 1000));
    expect((await entry()).d).toEqual([0, 1]);
    tick();
    metrics.afterSealRead = async () => {
      const block1 = steps(0, 1000)
        .concat(steps(1000, 4000))
        .filter((point) => point.step >= ROLLUP_BLOCK_STEPS && point.step < 2 * ROLLUP_BLOCK_STEPS);
      const level1 = levelOneBuckets(block1, 1);
      await metrics.putRollup(scope.workspace, runId, 'loss', {
        level: 1,
        index: 1,
        buckets: level1,
        version: { v: 99 },
      });
      await metrics.putRollup(scope.workspace, runId, 'loss', {
        level: 2,
        index: 0,
        buckets: parentBuckets(new Map(), level1),
        version: { vl: 0, vr: 99 },
      });
    };
    await send(steps(4000, 4100));
    const sealed = await entry();
    expect(sealed.d).toBeUndefined();
    expect(sealed.f).toBe(3584);
    // The level-2 item of blocks 0-1 holds both: charts of 32-step buckets read it, block 0 included.
    await check([...queries, [undefined, undefined, 300], [0, 2047, 200]]);
  });

  test('a key far behind is sealed again by the next batch, without waiting for the interval', async () => {
    const { send, entry, check } = await newRun();
    const at = (step: number) => steps(step, step + 1)[0] as MetricPoint;
    // One batch spread over 200,000 steps: its seal covers the first 128 blocks, and the key is still far behind.
    await send(Array.from({ length: 1000 }, (_, i) => at(i * 200)));
    expect((await entry()).f).toBe(65_536);
    // The next batches come at the same clock time, and each seals another 128 blocks.
    await send([at(200_000)]);
    expect((await entry()).f).toBe(131_072);
    await send([at(200_001)]);
    expect((await entry()).f).toBe(196_608);
    // Five blocks behind: sealed at once too (two blocks or more are) ...
    await send([at(200_002)]);
    expect((await entry()).f).toBe(199_168);
    // ... one block behind waits for the interval.
    await send([at(200_300)]);
    expect((await entry()).f).toBe(199_168);
    tick();
    await send([at(200_301)]);
    expect((await entry()).f).toBe(199_680);
    await check(queries);
  });

  test('the end of a run seals every complete block, and the chart then reads O(max_points) items', async () => {
    const { runId, send, entry, check } = await newRun();
    // A sealer died holding its claim: the writes leave sealing to it, and the end of the run takes over.
    await send(steps(0, 1000));
    const claim = await deps.runs.claimSeal(scope.workspace, runId, 'loss', 0, (await entry()).g, now + 60_000);
    expect(claim).toBeDefined();
    for (let batch = 1; batch < 12; batch++) await send(steps(batch * 1000, (batch + 1) * 1000));
    expect((await entry()).f).toBe(0);
    await endRun(scope, runId, { status: 'FINISHED' }, deps);
    const ended = await entry();
    expect(ended.f).toBe(Math.floor((ended.s + 1) / ROLLUP_BLOCK_STEPS) * ROLLUP_BLOCK_STEPS);
    expect(ended.d).toBeUndefined();
    await check(queries);
    metrics.rawPointsRead = 0;
    metrics.rollupItemsRead = 0;
    const { result, capacity } = await withCapacityMeter(() =>
      getMetricHistory(scope, runId, 'loss', { limit: 1, maxPoints: 1000 }, deps),
    );
    expect(result.downsampled).toBe(true);
    // Raw points only above the frontier (under one block) and at unaligned edges; a few items per level.
    expect(metrics.rawPointsRead).toBeLessThan(ROLLUP_BLOCK_STEPS + 32);
    expect(metrics.rollupItemsRead).toBeLessThanOrEqual(2 * MAX_ROLLUP_LEVEL + Math.ceil(499 / 32) + 2);
    expect(capacity.readUnits).toBeLessThan(20);
  });

  for (const seed of [1, 2]) {
    test(`concurrent writers, out-of-order and late steps (seed ${seed}): answers match the reference throughout`, async () => {
      const next = seededRandom(seed);
      const { runId, send, entry, check } = await newRun();
      // 40 batches of 400 steps, roughly in order (neighbours swapped), some with their steps shuffled, plus
      // batches of late points rewriting earlier steps, taken by 6 writers from one queue.
      const batches: MetricPoint[][] = Array.from({ length: 40 }, (_, batch) => {
        const points = steps(batch * 400, (batch + 1) * 400, batch % 5);
        return next() < 0.3 ? points.sort(() => next() - 0.5) : points;
      });
      for (let i = 0; i + 1 < batches.length; i++) {
        if (next() < 0.3) [batches[i], batches[i + 1]] = [batches[i + 1] as MetricPoint[], batches[i] as MetricPoint[]];
      }
      for (let late = 0; late < 6; late++) {
        const at = 8 + Math.floor(next() * 32);
        const from = Math.floor(next() * at * 400);
        batches.splice(at, 0, steps(from, from + 1 + Math.floor(next() * 40), 7 + late));
      }
      let taken = 0;
      await Promise.all(
        Array.from({ length: 6 }, async () => {
          for (let batch = taken++; batch < batches.length; batch = taken++) {
            now += 400;
            await send(batches[batch] as MetricPoint[]);
          }
        }),
      );
      await check(queries);
      const written = await entry();
      expect(written.f).toBeGreaterThan(0);
      now += 1500;
      await endRun(scope, runId, { status: 'FINISHED' }, deps);
      const ended = await entry();
      // Within two blocks of the last complete one (less is not worth a seal at the end).
      expect(Math.floor((ended.s + 1) / ROLLUP_BLOCK_STEPS) * ROLLUP_BLOCK_STEPS - ended.f).toBeLessThan(
        2 * ROLLUP_BLOCK_STEPS,
      );
      expect(ended.d).toBeUndefined();
      await check(queries);
    });
  }

  describe('a running run right after concurrent writers stopped', () => {
    /** The max_points=1000 chart as a reader draws it now: its answer, raw points and rollup items read, read units. */
    async function chart(runId: string) {
      metrics.rawPointsRead = 0;
      metrics.rollupItemsRead = 0;
      const { result, capacity } = await withCapacityMeter(() =>
        getMetricHistory(scope, runId, 'loss', { limit: 1, maxPoints: 1000 }, deps),
      );
      expect(result.downsampled).toBe(true);
      return { raw: metrics.rawPointsRead, items: metrics.rollupItemsRead, readUnits: capacity.readUnits };
    }

    test('the last seal of a burst is finished by its sealer, though a straggler held it back and no batch follows', async () => {
      const { runId, send, entry, check } = await newRun();
      // One seal (target 7168) reads; meanwhile a batch rewriting steps 5000-5099 (it holds that seal at 4608)
      // and one above are recorded, and then the writers stop.
      metrics.afterSealRead = async () => {
        await Promise.all([send(steps(5000, 5100, 1)), send(steps(8000, 12_000))]);
      };
      await send(steps(0, 8000));
      const read = await chart(runId);
      expect(read.readUnits).toBeLessThan(20);
      expect(read.raw).toBeLessThan(3 * ROLLUP_BLOCK_STEPS);
      const written = await entry();
      expect(written.s - written.f).toBeLessThan(3 * ROLLUP_BLOCK_STEPS);
      await check(queries);
    });

    for (const seed of [3, 4]) {
      test(`8 writers, 32,000 points (seed ${seed}): under three blocks raw and under 20 read units, answers as the reference`, async () => {
        const next = seededRandom(seed);
        const { runId, send, entry, check } = await newRun();
        // 32 batches of 1,000 steps in order, neighbours sometimes swapped, taken by 8 writers from one queue;
        // the clock moves 20 ms a batch (the seal interval is a second).
        const batches = Array.from({ length: 32 }, (_, batch) => steps(batch * 1000, (batch + 1) * 1000, batch % 3));
        for (let i = 0; i + 1 < batches.length; i++) {
          if (next() < 0.3)
            [batches[i], batches[i + 1]] = [batches[i + 1] as MetricPoint[], batches[i] as MetricPoint[]];
        }
        let taken = 0;
        await Promise.all(
          Array.from({ length: 8 }, async () => {
            for (let batch = taken++; batch < batches.length; batch = taken++) {
              now += 20;
              await send(batches[batch] as MetricPoint[]);
            }
          }),
        );
        const read = await chart(runId);
        expect(read.readUnits).toBeLessThan(20);
        const written = await entry();
        expect(written.s - written.f).toBeLessThan(3 * ROLLUP_BLOCK_STEPS);
        await check(queries);
        // Above the frontier (under three blocks), dirty blocks a straggler left, unaligned edges under 16 steps.
        expect(read.raw).toBeLessThan(3 * ROLLUP_BLOCK_STEPS + (written.d?.length ?? 0) * ROLLUP_BLOCK_STEPS + 32);
        expect(read.items).toBeLessThanOrEqual(2 * MAX_ROLLUP_LEVEL + Math.ceil(499 / 32) + 2);
        // 32,000 points through DynamoDB Local with their seals: 10-35 s on two cores, 85 s at load 25.
      }, 180_000);
    }
  });
});
