import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, test } from 'vitest';
import { newId } from '../../shared/ids.ts';
import { experimentKey, metricIndexPartition } from '../../shared/storage/keys.ts';
import { tableDocumentClient, useTestStack } from '../support/local-api.ts';
import { searchPages } from '../support/search-pages.ts';
import { seededRandom } from '../support/seeded-random.ts';

/**
 * A local stack asked for fewer metric slot GSIs than a deployed table has
 * (its default is none: local/table-bootstrap.ts, LOCAL_METRIC_INDEX_SLOTS;
 * `STRATUS_METRIC_INDEX_SLOTS` for `npm start`) creates that many and tells its
 * functions so: an experiment's first keys are indexed through those slots, the
 * keys past them by index items, and every search finds the same runs either
 * way. Checked against a plain evaluation of what was logged.
 */
const SLOTS = 2;
const local = useTestStack({ metricIndexSlots: SLOTS });
const KEYS = Array.from({ length: SLOTS + 3 }, (_, i) => `k${i}`);

/** Every run a search finds, in its order, page after page (`max_results` small, so pages cross both kinds of entry). */
const searchAll = async (experimentId: string, filter: string, orderBy: string[] = []) =>
  (await searchPages(local.api, experimentId, filter, { orderBy, pageSize: 5 })).ids;

describe('a local stack with fewer metric slots', () => {
  test('the table has the slot indexes asked for, and the functions use no more', async () => {
    expect(local.stack.metricIndexSlots).toBe(SLOTS);
    const client = new DynamoDBClient({
      endpoint: local.stack.dynamoDbEndpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const { Table } = await client.send(new DescribeTableCommand({ TableName: local.stack.tableName }));
    client.destroy();
    const slotIndexes = (Table?.GlobalSecondaryIndexes ?? []).filter((index) =>
      index.IndexName?.startsWith('metricSlot'),
    );
    expect(slotIndexes).toHaveLength(SLOTS);
  });

  test('keys within the slots and past them are found by every search', async () => {
    const random = seededRandom(7);
    const created = await local.api.post('/api/v1/experiments', { experiment_name: `local-slots-${newId()}` });
    expect(created.status).toBe(201);
    const experimentId: string = created.body.experiment_id;
    const logged: Array<{ runId: string; lr: string; values: Map<string, number> }> = [];
    for (let i = 0; i < 14; i++) {
      const lr = String((i % 3) / 10);
      // Every run has the first key (so slots go in key order); the others now and then.
      const values = new Map(
        KEYS.filter((key, k) => k === 0 || random() < 0.7).map((key) => [key, Math.round(random() * 100) / 100]),
      );
      const run = await local.api.post('/api/v1/runs', {
        experiment_id: experimentId,
        params: { lr },
        metrics: [...values].map(([key, value]) => ({ key, value, step: 0 })),
      });
      expect(run.status, JSON.stringify(run.body)).toBe(201);
      logged.push({ runId: run.body.run_id, lr, values });
    }

    // The first keys to come have the slots, as many as the table has; the others have index items of their own.
    const documents = tableDocumentClient(local.stack);
    const { Item: experiment } = await documents.send(
      new GetCommand({ TableName: local.stack.tableName, Key: experimentKey('default', experimentId) }),
    );
    const slotted = new Map(Object.entries((experiment?.metricSlots ?? {}) as Record<string, number>));
    expect([...slotted.values()].sort()).toEqual(Array.from({ length: SLOTS }, (_, i) => i));
    for (const key of KEYS) {
      const { Items } = await documents.send(
        new QueryCommand({
          TableName: local.stack.tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': metricIndexPartition('default', experimentId, key) },
        }),
      );
      const withKey = logged.filter((run) => run.values.has(key)).length;
      expect(Items ?? [], key).toHaveLength(slotted.has(key) ? 0 : withKey);
    }

    const sorted = (ids: string[]) => [...ids].sort();
    for (const key of KEYS) {
      const having = logged.filter((run) => run.values.has(key));
      const value = (run: (typeof logged)[number]) => run.values.get(key) as number;
      const threshold = 0.5;
      expect(sorted(await searchAll(experimentId, `metrics.${key} > ${threshold}`)), key).toEqual(
        sorted(having.filter((run) => value(run) > threshold).map((run) => run.runId)),
      );
      expect(
        sorted(await searchAll(experimentId, `params.lr = '0.1' AND metrics.${key} <= ${threshold}`)),
        key,
      ).toEqual(sorted(having.filter((run) => run.lr === '0.1' && value(run) <= threshold).map((run) => run.runId)));
      // Ordered by the key: its values in order (ties in any order), runs without it last.
      const ordered = await searchAll(experimentId, '', [`metrics.${key} DESC`]);
      const byId = new Map(logged.map((run) => [run.runId, run]));
      const orderedValues = ordered.map((id) => byId.get(id)?.values.get(key) ?? Number.NEGATIVE_INFINITY);
      expect(orderedValues, key).toEqual(
        logged.map((run) => run.values.get(key) ?? Number.NEGATIVE_INFINITY).sort((a, b) => b - a),
      );
      expect(sorted(ordered)).toEqual(sorted(logged.map((run) => run.runId)));
    }
  });
});
