import { QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, test } from 'vitest';
import type { Run } from '../../shared/domain/types.ts';
import { newId } from '../../shared/ids.ts';
import { ExperimentRepository } from '../../shared/storage/experiment-repository.ts';
import { experimentKey, paramRowsPartition } from '../../shared/storage/keys.ts';
import { paramBucketEntries } from '../../shared/storage/run-items.ts';
import { RunRepository } from '../../shared/storage/run-repository.ts';
import { tableDocumentClient, useTestStack } from '../support/local-api.ts';
import { searchAllPages } from '../support/search-pages.ts';
import { seededRandom } from '../support/seeded-random.ts';

/**
 * Param digests of 8 runs share one bucket row (docs/search.md). Runs reach
 * it every way they can — created with params, created bare and given params
 * later (MLflow clients), given more params later, given a run number another
 * run already has (a number counted again after a failed create) — beside runs
 * from before buckets (a row of their own, in an experiment without the
 * `paramBuckets` mark). Param searches over them are compared with a plain
 * evaluation of the same filter over what was logged; then a run is purged.
 */
const local = useTestStack();

interface Logged {
  runId: string;
  params: Record<string, string>;
  acc: number;
}

async function paramRows(experimentId: string) {
  const rows = await tableDocumentClient(local.stack).send(
    new QueryCommand({
      TableName: local.stack.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': paramRowsPartition('default', experimentId) },
      ConsistentRead: true,
    }),
  );
  return rows.Items ?? [];
}

describe('bucket rows beside per-run rows', () => {
  test('param searches agree with a plain evaluation, whatever way each run got its params', async () => {
    const random = seededRandom(7);
    const pick = <T>(values: readonly T[]) => values[Math.floor(random() * values.length)] as T;
    const paramsOf = () =>
      Object.fromEntries(
        Array.from({ length: 1 + Math.floor(random() * 6) }, (_, i) => [`p${i}`, pick(['a', 'b', 'c', 'd'])]),
      );
    const created = await local.api.post('/api/v1/experiments', { experiment_name: 'buckets-mixed' });
    const experimentId: string = created.body.experiment_id;
    const client = tableDocumentClient(local.stack);
    const runs = new RunRepository(client, local.stack.tableName);
    const experiments = new ExperimentRepository(client, local.stack.tableName);
    const logged: Logged[] = [];

    // Runs from before buckets: a row of their own, in an experiment not (yet) marked.
    await client.send(
      new UpdateCommand({
        TableName: local.stack.tableName,
        Key: experimentKey('default', experimentId),
        UpdateExpression: 'REMOVE paramBuckets',
      }),
    );
    const direct = async (params: Record<string, string>, runNumber: number | undefined) => {
      const run: Run = {
        runId: newId(),
        experimentId,
        runName: 'direct',
        status: 'RUNNING',
        startTime: 1_700_000_000_000,
        endTime: undefined,
        tags: {},
        parentRunId: undefined,
        gitCommit: undefined,
        codeVersion: undefined,
        pipeline: undefined,
        lifecycleStage: 'active',
      };
      await experiments.recordRunStarted('default', experimentId, run.startTime);
      await runs.create('default', run, { params: new Map(Object.entries(params)), runNumber });
      return run.runId;
    };
    for (let i = 0; i < 12; i++) {
      const params = paramsOf();
      logged.push({ runId: await direct(params, undefined), params, acc: Number.NaN });
    }
    // Runs since buckets, through the API, 8 at a time (several share a row while it is written).
    const ways = ['with-params', 'bare-then-params', 'with-params-then-more'] as const;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        for (let i = 0; i < 6; i++) {
          const way = pick(ways);
          const params = paramsOf();
          const response = await local.api.post('/api/v1/runs', {
            experiment_id: experimentId,
            ...(way === 'bare-then-params' ? {} : { params }),
          });
          expect(response.status).toBe(201);
          const runId: string = response.body.run_id;
          if (way === 'bare-then-params') {
            expect((await local.api.post(`/api/v1/runs/${runId}/batch`, { params })).status).toBe(200);
          }
          if (way === 'with-params-then-more') {
            params.extra = pick(['a', 'b']);
            expect(
              (await local.api.post(`/api/v1/runs/${runId}/batch`, { params: { extra: params.extra } })).status,
            ).toBe(200);
          }
          logged.push({ runId, params, acc: Number.NaN });
        }
      }),
    );
    // A number given twice (counted again after a failed create): the second run moves to a name of its own.
    const numberTaken = { p0: 'a', p1: 'z' };
    logged.push({ runId: await direct(numberTaken, 13), params: numberTaken, acc: Number.NaN });
    // The older runs get a later param too: on their own rows.
    const older = logged[0] as Logged;
    older.params.late = 'yes';
    expect((await local.api.post(`/api/v1/runs/${older.runId}/batch`, { params: { late: 'yes' } })).status).toBe(200);
    for (const run of logged) {
      run.acc = Math.round(random() * 100) / 100;
      await local.api.post(`/api/v1/runs/${run.runId}/batch`, { metrics: [{ key: 'acc', value: run.acc, step: 0 }] });
    }

    // Both layouts are there, and a bucket row holds several runs.
    const rows = await paramRows(experimentId);
    const buckets = rows.filter((row) => (row.sk as string).startsWith('#'));
    expect(rows.filter((row) => !(row.sk as string).startsWith('#')).length).toBe(12);
    expect(Math.max(...buckets.map((row) => new Set(paramBucketEntries(row).map((e) => e.runId)).size))).toBe(8);
    expect(buckets.some((row) => Object.keys(row).some((name) => /^[0-7]./.test(name)))).toBe(true);

    const search = async (filter: string) => (await searchAllPages(local.api, experimentId, filter)).ids;
    const expected = (keep: (run: Logged) => boolean) =>
      logged
        .filter(keep)
        .map((run) => run.runId)
        .sort();
    const checks: Array<[string, (run: Logged) => boolean]> = [
      ["params.late = 'yes'", (run) => run.params.late === 'yes'],
      ["params.p1 = 'z'", (run) => run.params.p1 === 'z'],
      ["params.extra = 'b'", (run) => run.params.extra === 'b'],
    ];
    for (let i = 0; i < 8; i++) {
      const key = `p${Math.floor(random() * 4)}`;
      const value = pick(['a', 'b', 'c', 'd']);
      const other = pick(['a', 'b', 'c', 'd']);
      const threshold = Math.round(random() * 100) / 100;
      checks.push(
        [`params.${key} = '${value}'`, (run) => run.params[key] === value],
        [`params.${key} IN ('${value}', '${other}')`, (run) => [value, other].includes(run.params[key] as string)],
        [
          `params.${key} = '${value}' AND metrics.acc > ${threshold}`,
          (run) => run.params[key] === value && run.acc > threshold,
        ],
        [
          `params.p0 = '${other}' AND params.${key} = '${value}'`,
          (run) => run.params.p0 === other && run.params[key] === value,
        ],
      );
    }
    for (const [filter, keep] of checks) expect(await search(filter), filter).toEqual(expected(keep));

    // A purged run leaves its row (other runs are on it) without its attributes, and is found no more.
    const purged = logged[12] as Logged; // the first run through the API: on a bucket row
    expect((await local.api.delete(`/api/v1/runs/${purged.runId}`)).status).toBe(200);
    expect((await local.api.post(`/api/v1/runs/${purged.runId}/purge`)).status).toBe(200);
    const after = await paramRows(experimentId);
    expect(after.flatMap((row) => paramBucketEntries(row)).some((entry) => entry.runId === purged.runId)).toBe(false);
    logged.splice(logged.indexOf(purged), 1);
    const key = Object.keys(purged.params)[0] as string;
    expect(await search(`params.${key} = '${purged.params[key]}'`)).toEqual(
      expected((run) => run.params[key] === purged.params[key]),
    );

    // Purging the experiment takes its rows, bucket rows included.
    expect((await local.api.delete(`/api/v1/experiments/${experimentId}`)).status).toBe(200);
    expect((await local.api.post(`/api/v1/experiments/${experimentId}/purge`)).status).toBe(200);
    expect(await paramRows(experimentId)).toEqual([]);
  }, 240_000);

  test('a new experiment is marked: its param search reads bucket rows only', async () => {
    const created = await local.api.post('/api/v1/experiments', { experiment_name: 'buckets-marked' });
    const experiments = new ExperimentRepository(tableDocumentClient(local.stack), local.stack.tableName);
    const experiment = await experiments.get('default', created.body.experiment_id);
    expect(experiment?.perRunParamRows).toBeUndefined();
    const run = await local.api.post('/api/v1/runs', { experiment_id: created.body.experiment_id, params: { a: '1' } });
    const rows = await paramRows(created.body.experiment_id);
    expect(rows.map((row) => row.sk)).toEqual(['#0000000000']);
    expect(paramBucketEntries(rows[0] as Record<string, unknown>)).toEqual([
      { runId: run.body.run_id, digests: expect.any(Array) },
    ]);
  });
});
