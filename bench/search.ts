import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { startLocalStack } from '../local/stack.ts';
import { issueToken } from '../shared/domain/tokens.ts';
import { newId } from '../shared/ids.ts';
import { createDocumentClient } from '../shared/storage/dynamo-client.ts';
import { entityTypes, paramBucketKey, paramBucketOf } from '../shared/storage/keys.ts';
import {
  entryParamDigests,
  metricIndexEntry,
  paramBucketName,
  paramBucketValue,
  runItem,
  runValuesItem,
  type StoredMetricEntry,
  tagIndexItem,
} from '../shared/storage/run-items.ts';
import { storedValue } from '../shared/storage/stored-value.ts';
import type { BenchSection } from './section.ts';
import { consumedCapacity, percentile, round } from './stats.ts';

export interface SearchBenchOptions {
  runs?: number;
  params?: number;
  metrics?: number;
  samples?: number;
}

/**
 * Search at scale: an experiment of `runs` runs (20 params and 10 metrics
 * each) is written straight into the table with BatchWriteItem, item for item
 * what the API writes for such a run (run item, values item, the index
 * entries of its tag and metrics, its params on the experiment's shared param
 * rows; no metric history, which search never reads). The queries then go through the HTTP API; read units come from the
 * x-stratus-consumed-capacity header.
 */
export async function runSearchBench(options: SearchBenchOptions = {}): Promise<BenchSection> {
  const runCount = options.runs ?? 10_000;
  const paramCount = options.params ?? 20;
  const metricCount = options.metrics ?? 10;
  const samples = options.samples ?? 20;
  const token = issueToken().token;
  const stack = await startLocalStack({ port: 0, tableName: 'bench-search', logLevel: 'error', bootstrapToken: token });
  try {
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const call = (path: string, body: unknown) =>
      fetch(`${stack.url}/api/v1${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
    const created = await call('/experiments', { experiment_name: 'bench-search' });
    const { experiment_id: experimentId } = (await created.json()) as { experiment_id: string };

    const loadStarted = performance.now();
    const runIds = await loadRuns(stack.workspace, experimentId, runCount, paramCount, metricCount);
    const loadSeconds = (performance.now() - loadStarted) / 1000;

    const measure = async (label: string, body: () => unknown, path = '/runs/search', count = samples) => {
      const latencies: number[] = [];
      const reads: number[] = [];
      let results = 0;
      for (let i = 0; i < count; i++) {
        const sent = performance.now();
        const response = await call(path, body());
        const answer = (await response.json()) as { runs?: unknown[] };
        latencies.push(performance.now() - sent);
        if (response.status !== 200) throw new Error(`${label}: ${response.status} ${JSON.stringify(answer)}`);
        reads.push(consumedCapacity(response).read);
        results = answer.runs?.length ?? 0;
      }
      return { label, latencies, reads: percentile(reads, 50), results, plan: '' };
    };
    const search = (extra: Record<string, unknown>) => () => ({ experiment_ids: [experimentId], ...extra });
    const rowsOf = [
      await measure('newest 100', search({ max_results: 100 })),
      await measure('top 10 by a metric', search({ order_by: ['metrics.m0 DESC'], max_results: 10 })),
      await measure('metric threshold matching 1%', search({ filter: 'metrics.m1 > 0.99', max_results: 100 })),
      await measure(
        'param equality + metric threshold',
        search({ filter: "params.p0 = 'v3' AND metrics.m2 > 0.9", max_results: 100 }),
      ),
      await measure('compare 50 runs', () => ({ run_ids: pickRuns(runIds, 50) }), '/runs/compare'),
      // No clause an index answers and an order no index holds: the planner reads every run.
      await measure(
        'full read (every run of the experiment)',
        search({ filter: "tags.owner LIKE 'nobody%'", order_by: ['params.p1'], max_results: 100 }),
        '/runs/search',
        3,
      ),
    ];
    const fullRead = rowsOf[rowsOf.length - 1]?.reads ?? Number.NaN;
    return {
      title: `Search: ${runCount.toLocaleString('en')} runs, ${paramCount} params and ${metricCount} metrics each (loaded in ${round(loadSeconds, 1)} s)`,
      rows: rowsOf.map((row) => ({
        query: row.label,
        'runs returned': row.results,
        'p50 (ms)': round(percentile(row.latencies, 50), 1),
        'p95 (ms)': round(percentile(row.latencies, 95), 1),
        'read units': row.reads,
        'x fewer than full read': round(fullRead / row.reads, 1),
      })),
    };
  } finally {
    await stack.stop();
  }
}

const pickRuns = (ids: string[], count: number) =>
  Array.from({ length: count }, () => ids[Math.floor(Math.random() * ids.length)] as string);

export async function loadRuns(
  workspace: string,
  experimentId: string,
  runs: number,
  params: number,
  metrics: number,
): Promise<string[]> {
  const client = createDocumentClient({
    region: process.env.AWS_REGION ?? 'us-east-1',
    endpoint: process.env.STRATUS_DYNAMODB_ENDPOINT,
    // DynamoDB Local under a bulk load answers slower than the functions' 2 s limit; the local stack's.
    attemptTimeoutMs: Number(process.env.STRATUS_AWS_ATTEMPT_TIMEOUT_MS ?? 8000),
  });
  const table = process.env.STRATUS_TABLE_NAME as string;
  const started = Date.now() - runs * 1000;
  const runIds: string[] = [];
  const items: Record<string, unknown>[] = [];
  const bucketRows = new Map<number, Record<string, unknown>>();
  for (let r = 0; r < runs; r++) {
    const runId = newId();
    runIds.push(runId);
    const startTime = started + r * 1000;
    const tags = { owner: `user-${r % 7}` };
    items.push(
      runItem(workspace, {
        runId,
        experimentId,
        runName: `run-${r}`,
        status: 'FINISHED',
        startTime,
        endTime: startTime + 500,
        tags,
        parentRunId: undefined,
        gitCommit: undefined,
        codeVersion: undefined,
        pipeline: undefined,
        lifecycleStage: 'active',
      }),
      { ...tagIndexItem(workspace, experimentId, runId, 'owner', tags.owner) },
    );
    const values: Record<string, string> = {};
    for (let p = 0; p < params; p++) {
      values[`p${p}`] = p === 0 ? `v${r % 10}` : `value-${Math.floor(Math.random() * 1000)}`;
    }
    const entryParams = entryParamDigests(new Map(Object.entries(values)));
    const latest: Record<string, StoredMetricEntry> = {};
    for (let m = 0; m < metrics; m++) {
      const key = `m${m}`;
      const value = Math.random();
      latest[key] = { v: storedValue(value), s: 100, t: startTime + 400, l: 0, w: 100, n: 1, f: 0, g: 0 };
      items.push(metricIndexEntry(workspace, experimentId, runId, key, value, entryParams));
    }
    // Run numbers as the experiment's count hands them out; runs share param rows eight at a time.
    const runNumber = r + 1;
    if (params > 0) {
      const { bucket, slot } = paramBucketOf(runNumber);
      const value = paramBucketValue(runId, Object.entries(values));
      const row = bucketRows.get(bucket) ?? {
        ...paramBucketKey(workspace, experimentId, bucket),
        type: entityTypes.paramRow,
      };
      row[paramBucketName(slot, value, true)] = value;
      bucketRows.set(bucket, row);
    }
    items.push(runValuesItem(workspace, runId, values, latest, { metricKeys: metrics, metricPages: 0, runNumber }));
  }
  items.push(...bucketRows.values());
  let next = 0;
  const batches = Math.ceil(items.length / 25);
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      for (let batch = next++; batch < batches; batch = next++) {
        let pending = items.slice(batch * 25, batch * 25 + 25).map((Item) => ({ PutRequest: { Item } }));
        while (pending.length > 0) {
          const result = await client.send(new BatchWriteCommand({ RequestItems: { [table]: pending } }));
          pending = (result.UnprocessedItems?.[table] ?? []) as typeof pending;
        }
      }
    }),
  );
  client.destroy();
  return runIds;
}
