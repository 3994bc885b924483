import { BatchGetCommand, type DynamoDBDocumentClient, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import {
  decodeSortableNumber,
  HIGHEST_NUMBER_KEY,
  LOWEST_NUMBER_KEY,
  NAN_SORT_KEY,
} from '../domain/search/sortable-number.ts';
import type { Run, RunDetails } from '../domain/types.ts';
import {
  encodeTime,
  latestMetricsKey,
  type PrimaryKey,
  paramSummaryKey,
  runKey,
  runsByExperimentPartition,
  runsByMetricValuePartition,
  runsByParamValuePartition,
  runsByParamValuePrefix,
} from './keys.ts';
import {
  fromStoredLatest,
  type RunItem,
  type RunRepository,
  type StoredLatestMetric,
  toRun,
} from './run-repository.ts';
import { queryAllItems } from './query-page.ts';
import { logicalIndexes } from './table-definition.ts';

/** Sorts after `#` (the separator before the run id) and before any hex digit: closes a value's entries. */
const AFTER_VALUE = '$';
const BATCH_GET_KEYS = 100;
const PARALLEL_BATCH_GETS = 8;
const MAX_BATCH_GET_ATTEMPTS = 8;

/** Bounds on an index's sort key, both inclusive (DynamoDB's BETWEEN). */
export interface SortKeyRange {
  from: string;
  to: string;
}

/** A numeric range over `runsByMetricValue` entries; NaN lies outside every range. */
export const numberRange = (
  lower?: { value: string; inclusive: boolean },
  upper?: { value: string; inclusive: boolean },
): SortKeyRange => ({
  from: lower ? (lower.inclusive ? lower.value : lower.value + AFTER_VALUE) : LOWEST_NUMBER_KEY,
  to: upper ? (upper.inclusive ? upper.value + AFTER_VALUE : upper.value) : HIGHEST_NUMBER_KEY + AFTER_VALUE,
});

export const nanRange: SortKeyRange = { from: NAN_SORT_KEY, to: NAN_SORT_KEY + AFTER_VALUE };

/** One entry of an ordered stream: the run, and the value of the key it is ordered by. */
export interface StreamEntry {
  runId: string;
  /** The index sort key: comparable across experiments. */
  sortKey: string;
  /** Present when the index item is the run item itself (runsByExperiment). */
  run?: Run;
}

/**
 * Reads for search and compare: the search indexes on gsi2, runs by start time
 * on gsi1, and a run's details (run item, latest metrics, param summary) for
 * many runs at once with BatchGetItem. Reads are eventually consistent (half
 * the price): indexes are anyway, and every match is re-checked on what is read.
 */
export class SearchRepository {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly runs: RunRepository,
  ) {}

  /** Ids of the runs whose latest `metricKey` lies in `range`. */
  async runIdsByMetric(workspace: string, experimentId: string, metricKey: string, range?: SortKeyRange) {
    const entries = queryAllItems(
      this.client,
      indexQuery(
        this.tableName,
        runsByMetricValuePartition(workspace, experimentId, metricKey),
        logicalIndexes.runsByMetricValue,
        range,
        false,
      ),
      { firstPage: 1000 },
    );
    const ids: string[] = [];
    for await (const item of entries) ids.push(runIdFromSortKey(item.gsi2sk as string));
    return ids;
  }

  /** Ids of the runs whose param `paramKey` may equal `value` (long values are indexed by a prefix). */
  async runIdsByParam(workspace: string, experimentId: string, paramKey: string, value: string) {
    const entries = queryAllItems(
      this.client,
      {
        TableName: this.tableName,
        IndexName: logicalIndexes.runsByParamValue,
        KeyConditionExpression: 'gsi2pk = :partition AND begins_with(gsi2sk, :prefix)',
        ExpressionAttributeValues: {
          ':partition': runsByParamValuePartition(workspace, experimentId, paramKey),
          ':prefix': runsByParamValuePrefix(value),
        },
        ProjectionExpression: 'runId',
      },
      { firstPage: 1000 },
    );
    const ids: string[] = [];
    for await (const item of entries) ids.push(item.runId as string);
    return ids;
  }

  /** Every run of an experiment (the run items, which carry status, times and tags). */
  async runsOfExperiment(workspace: string, experimentId: string): Promise<Run[]> {
    const runs: Run[] = [];
    for await (const entry of this.streamByStartTime(workspace, experimentId, true, undefined, 1000)) {
      runs.push(entry.run as Run);
    }
    return runs;
  }

  /** Runs in start-time order, from `fromTime` (inclusive) on. */
  async *streamByStartTime(
    workspace: string,
    experimentId: string,
    descending: boolean,
    fromTime: number | undefined,
    pageSize: number,
  ): AsyncGenerator<StreamEntry> {
    const range =
      fromTime === undefined
        ? undefined
        : descending
          ? { from: '0', to: encodeTime(fromTime) + AFTER_VALUE }
          : { from: encodeTime(fromTime), to: '\uffff' };
    const input = indexQuery(
      this.tableName,
      runsByExperimentPartition(workspace, experimentId),
      logicalIndexes.runsByExperiment,
      range,
      descending,
    );
    for await (const item of queryAllItems(this.client, input, { firstPage: pageSize })) {
      yield { runId: item.runId as string, sortKey: item.gsi1sk as string, run: toRun(item as unknown as RunItem) };
    }
  }

  /** Runs having `metricKey`, in order of its latest value, within `range`. */
  async *streamByMetric(
    workspace: string,
    experimentId: string,
    metricKey: string,
    descending: boolean,
    range: SortKeyRange,
    pageSize: number,
  ): AsyncGenerator<StreamEntry> {
    const input = indexQuery(
      this.tableName,
      runsByMetricValuePartition(workspace, experimentId, metricKey),
      logicalIndexes.runsByMetricValue,
      range,
      descending,
    );
    for await (const item of queryAllItems(this.client, input, { firstPage: pageSize })) {
      const sortKey = item.gsi2sk as string;
      yield { runId: runIdFromSortKey(sortKey), sortKey };
    }
  }

  /**
   * The runs with their params, tags and latest metrics, three items a run
   * fetched 100 keys per BatchGetItem; `known` run items (from gsi1) are not
   * read again. Runs that do not exist in this workspace are simply absent.
   */
  async loadDetails(
    workspace: string,
    runIds: readonly string[],
    known: ReadonlyMap<string, Run> = new Map(),
    consistent = false,
  ): Promise<Map<string, RunDetails>> {
    const unique = [...new Set(runIds)];
    const keys: PrimaryKey[] = unique.flatMap((runId) => [
      ...(known.has(runId) ? [] : [runKey(workspace, runId)]),
      latestMetricsKey(workspace, runId),
      paramSummaryKey(workspace, runId),
    ]);
    const items = await this.batchGet(keys, consistent);
    const runs = new Map<string, Run>(known);
    const latest = new Map<string, Record<string, StoredLatestMetric>>();
    const params = new Map<string, { params: Record<string, string>; overflow: boolean }>();
    for (const item of items) {
      const runId = runIdFromPartition(item.pk as string);
      if (item.sk === 'RUN') runs.set(runId, toRun(item as unknown as RunItem));
      else if (item.sk === 'METRICS_LATEST')
        latest.set(runId, (item.metrics ?? {}) as Record<string, StoredLatestMetric>);
      else if (item.sk === 'PARAMS') {
        params.set(runId, { params: (item.params ?? {}) as Record<string, string>, overflow: item.overflow === true });
      }
    }
    const details = new Map<string, RunDetails>();
    await Promise.all(
      unique.map(async (runId) => {
        const run = runs.get(runId);
        if (!run) return;
        const summary = params.get(runId);
        const runParams = summary?.overflow ? await this.runs.getParams(workspace, runId) : (summary?.params ?? {});
        const metrics = Object.entries(latest.get(runId) ?? {})
          .map(([key, stored]) => fromStoredLatest(key, stored))
          .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
        details.set(runId, { ...run, params: { ...runParams }, metrics });
      }),
    );
    return details;
  }

  private async batchGet(keys: PrimaryKey[], consistent: boolean): Promise<Record<string, unknown>[]> {
    const groups: PrimaryKey[][] = [];
    for (let start = 0; start < keys.length; start += BATCH_GET_KEYS)
      groups.push(keys.slice(start, start + BATCH_GET_KEYS));
    const items: Record<string, unknown>[] = [];
    let next = 0;
    const worker = async () => {
      for (let group = groups[next++]; group; group = groups[next++]) {
        let pending: PrimaryKey[] = group;
        for (let attempt = 1; pending.length > 0; attempt++) {
          if (attempt > MAX_BATCH_GET_ATTEMPTS) throw new Error('DynamoDB kept keys unprocessed; giving up');
          if (attempt > 1) await new Promise((resolve) => setTimeout(resolve, 2 ** attempt * 10 * Math.random()));
          const result = await this.client.send(
            new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: pending, ConsistentRead: consistent } } }),
          );
          items.push(...(result.Responses?.[this.tableName] ?? []));
          pending = (result.UnprocessedKeys?.[this.tableName]?.Keys ?? []) as PrimaryKey[];
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(PARALLEL_BATCH_GETS, groups.length) }, worker));
    return items;
  }
}

function indexQuery(
  tableName: string,
  partition: string,
  index: 'gsi1' | 'gsi2',
  range: SortKeyRange | undefined,
  descending: boolean,
): QueryCommandInput {
  return {
    TableName: tableName,
    IndexName: index,
    KeyConditionExpression: range
      ? `${index}pk = :partition AND ${index}sk BETWEEN :from AND :to`
      : `${index}pk = :partition`,
    ExpressionAttributeValues: range
      ? { ':partition': partition, ':from': range.from, ':to': range.to }
      : { ':partition': partition },
    ScanIndexForward: !descending,
  };
}

/** `<sortable value>#<run id>`: the run id is the last 32 characters. */
const runIdFromSortKey = (sortKey: string) => sortKey.slice(sortKey.lastIndexOf('#') + 1);

/** `WS#<ws>#RUN#<run id>`. */
const runIdFromPartition = (pk: string) => pk.slice(pk.lastIndexOf('#') + 1);

/** The metric value an index sort key stands for. */
export const metricValueFromSortKey = (sortKey: string) => decodeSortableNumber(sortKey.slice(0, sortKey.indexOf('#')));
