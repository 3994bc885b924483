import { BatchGetCommand, type DynamoDBDocumentClient, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import {
  decodeSortableNumber,
  HIGHEST_NUMBER_KEY,
  LOWEST_NUMBER_KEY,
  NAN_SORT_KEY,
} from '../domain/search/sortable-number.ts';
import type { RunIo } from '../domain/logged-models.ts';
import type { Run, RunDetails } from '../domain/types.ts';
import {
  childRunsOf,
  childRunsPartition,
  encodeTime,
  entityTypes,
  indexedValuePrefix,
  legacyParamIndexPartition,
  metricIndexPartition,
  metricSlotPartition,
  type PrimaryKey,
  paramBucketSortKey,
  paramBucketSortKeys,
  paramPerRunSortKeys,
  paramRowsPartition,
  RUNS_PER_PARAM_BUCKET,
  runIdOfIndexSortKey,
  runKey,
  runsByExperimentPartition,
  runsByNamePartition,
  runValuesKey,
  tagIndexPartition,
} from './keys.ts';
import { MetricSlots } from './metric-slots.ts';
import { queryAllItems } from './query-page.ts';
import {
  ENTRY_PARAMS_OFFSET,
  holdsParamDigest,
  isParamDigestAttribute,
  matchParamBucket,
  paramDigest,
  wantedDigests,
  wideParamDigest,
} from './run-items.ts';
import {
  queryRunDetails,
  type RunItem,
  runDetailsFromItems,
  runDetailsProjection,
  toRun,
  withPagedTags,
} from './run-reader.ts';
import { mergeStreams } from './merge-streams.ts';
import { readRunIo } from './run-io.ts';
import { type GlobalIndexDefinition, logicalIndexes, metricSlotIndex } from './table-definition.ts';

/** Sorts after `#` (the separator before the run id) and before any hex digit: closes a value's entries. */
const AFTER_VALUE = '$';
const BATCH_GET_KEYS = 100;
const PARALLEL_BATCH_GETS = 8;
const MAX_BATCH_GET_ATTEMPTS = 8;

/**
 * The key condition of an index read: a partition, within a sort key range or
 * under a prefix; of the table's keys, or of a GSI's (`keys`).
 */
const indexKeyCondition = (
  partition: string,
  range?: SortKeyRange,
  prefix?: string,
  [pk, sk]: readonly [string, string] = ['pk', 'sk'],
) => ({
  KeyConditionExpression: range
    ? `${pk} = :partition AND ${sk} BETWEEN :from AND :to`
    : prefix
      ? `${pk} = :partition AND begins_with(${sk}, :prefix)`
      : `${pk} = :partition`,
  ExpressionAttributeValues: {
    ':partition': partition,
    ...(range ? { ':from': range.from, ':to': range.to } : {}),
    ...(prefix && !range ? { ':prefix': prefix } : {}),
  },
});

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
  /** The index sort key: comparable across experiments (in code point order, as DynamoDB sorts). */
  sortKey: string;
  /** The value part of the sort key: entries with equal values form one group. */
  value: string;
  /** Present when the index item is the run item itself (runsByExperiment). */
  run?: Run;
}

/**
 * Reads for search and compare: the search index entries (items in a
 * partition per experiment and key), runs by start time (gsi1) and by name
 * (gsi2), and a run's details (run item and values item) for many runs at once
 * with BatchGetItem. Reads are eventually consistent (half the price): indexes
 * may lag or hold a replaced value, and every match is re-checked on what is read.
 */
export class SearchRepository {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly slots: MetricSlots = new MetricSlots(client, tableName),
  ) {}

  /**
   * Ids of the runs whose latest `metricKey` lies in `range`: from its index
   * items and, when the key has a metric slot in the experiment, that slot's
   * GSI (a run's entry is in one of them; runs from before the slot, or that
   * raced its assignment, are in the index items).
   */
  async runIdsByMetric(workspace: string, experimentId: string, metricKey: string, range?: SortKeyRange) {
    const [fromItems, fromSlot] = await Promise.all([
      this.indexRunIds(metricIndexPartition(workspace, experimentId, metricKey), range),
      this.onSlot(workspace, experimentId, metricKey, async (index, partition) => {
        const ids: string[] = [];
        for await (const item of this.slotEntries(index, partition, range, 'pk')) ids.push(runIdFromPartition(item.pk));
        return ids;
      }),
    ]);
    return [...fromItems, ...(fromSlot ?? [])];
  }

  /** `read` of the key's metric slot GSI, when it has a slot (else undefined). */
  private async onSlot<T>(
    workspace: string,
    experimentId: string,
    metricKey: string,
    read: (index: GlobalIndexDefinition, partition: string) => Promise<T>,
  ): Promise<T | undefined> {
    const slot = await this.slots.slotOf(workspace, experimentId, metricKey);
    return slot === undefined
      ? undefined
      : read(metricSlotIndex(slot), metricSlotPartition(workspace, experimentId, metricKey));
  }

  /** Entries of a metric slot GSI in `partition` (within `range`), with the attributes named. */
  private slotEntries(
    index: GlobalIndexDefinition,
    partition: string,
    range: SortKeyRange | undefined,
    attributes: string,
  ) {
    return queryAllItems(this.client, {
      TableName: this.tableName,
      IndexName: index.indexName,
      ProjectionExpression: attributes,
      ...indexKeyCondition(partition, range, undefined, [index.partitionKey, index.sortKey]),
    });
  }

  /**
   * Like runIdsByMetric, with the param digests the entries carry
   * (run-items.ts entryParamDigests): for each param clause, whether the run
   * may hold one of its values. An entry without digests may hold any.
   */
  async runIdsByMetricWithParams(
    workspace: string,
    experimentId: string,
    metricKey: string,
    range: SortKeyRange | undefined,
    clauses: ReadonlyArray<{ key: string; values: readonly string[] }>,
  ): Promise<Array<{ runId: string; holds: boolean[] }>> {
    const wanted = clauses.map(({ key, values }) => wantedDigests(values.map((value) => paramDigest(key, value))));
    const collect = async (
      entries: AsyncIterable<Record<string, unknown>>,
      runIdOf: (item: Record<string, unknown>) => string,
    ) => {
      const found: Array<{ runId: string; holds: boolean[] }> = [];
      for await (const item of entries) {
        const params = item.p;
        found.push({
          runId: runIdOf(item),
          holds: wanted.map((digests) =>
            params instanceof Uint8Array ? holdsParamDigest(params, ENTRY_PARAMS_OFFSET, digests) : true,
          ),
        });
      }
      return found;
    };
    const [fromItems, fromSlot] = await Promise.all([
      collect(
        queryAllItems(this.client, {
          TableName: this.tableName,
          ProjectionExpression: 'sk, p',
          ...indexKeyCondition(metricIndexPartition(workspace, experimentId, metricKey), range),
        }),
        (item) => runIdOfIndexSortKey(item.sk as string),
      ),
      this.onSlot(workspace, experimentId, metricKey, (index, partition) =>
        collect(this.slotEntries(index, partition, range, 'pk, p'), (item) => runIdFromPartition(item.pk)),
      ),
    ]);
    return [...fromItems, ...(fromSlot ?? [])];
  }

  /**
   * For each clause (a param key and the values it may equal), the ids of the
   * runs whose param may match: one read of the experiment's param rows serves
   * them all. A row holds digests, so a match may be a clash (checked later);
   * a run marked as having too many params for digests matches every clause.
   * Bucket rows (8 runs a row) are read in `bucketSegments` Queries side by
   * side, over ranges of bucket numbers up to `runCount`'s; with
   * `perRunSegments`, the per-run rows of runs from before them too. With
   * `legacy` (an experiment that may hold runs from before param rows), the
   * older per-param index entries of each value are read too.
   */
  async runIdsByParams(
    workspace: string,
    experimentId: string,
    clauses: ReadonlyArray<{ key: string; values: readonly string[] }>,
    plan: { runCount: number; bucketSegments: number; perRunSegments: number; legacy: boolean },
  ): Promise<string[][]> {
    const wanted = clauses.map(({ key, values }) => ({
      digests: wantedDigests(values.map((value) => paramDigest(key, value))),
      wide: values.map((value) => wideParamDigest(key, value)),
    }));
    const clauseDigests = wanted.map((clause) => clause.digests);
    const found: string[][] = clauses.map(() => []);
    const keep = (runId: string, clause: number) => found[clause]?.push(runId);
    const fromRows = (from: string, to: string) => async () => {
      const rows = queryAllItems(this.client, {
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :partition AND sk BETWEEN :from AND :to',
        ExpressionAttributeValues: {
          ':partition': paramRowsPartition(workspace, experimentId),
          ':from': from,
          ':to': to,
        },
      });
      for await (const row of rows) {
        const sk = row.sk as string;
        if (sk.startsWith(paramBucketSortKeys.from)) {
          matchParamBucket(row, clauseDigests, keep);
          continue;
        }
        // `b…`: 4-byte digests, one attribute per write; `h`: the wider digests of rows from before them.
        const digestValues = Object.entries(row).flatMap(([name, value]) =>
          isParamDigestAttribute(name, value) ? [value] : [],
        );
        const wide = row.h instanceof Set ? (row.h as Set<string>) : undefined;
        wanted.forEach((clause, i) => {
          if (
            row.x === true ||
            digestValues.some((value) => holdsParamDigest(value, 0, clause.digests)) ||
            (wide !== undefined && clause.wide.some((digest) => wide.has(digest)))
          ) {
            keep(sk, i);
          }
        });
      }
    };
    const fromLegacyEntries = () =>
      clauses.map(async ({ key, values }, i) => {
        for (const value of new Set(values)) {
          const ids = await this.indexRunIds(
            legacyParamIndexPartition(workspace, experimentId, key),
            undefined,
            indexedValuePrefix(value),
          );
          found[i]?.push(...ids);
        }
      });
    // Bucket numbers split evenly; the last range is open (runs started since the count was read).
    const buckets = Math.ceil(plan.runCount / RUNS_PER_PARAM_BUCKET);
    const bucketBounds = Array.from({ length: plan.bucketSegments - 1 }, (_, i) =>
      Math.floor((buckets * (i + 1)) / plan.bucketSegments),
    ).filter((bound, i, all) => bound > 0 && bound !== all[i - 1]);
    const bucketRanges = [0, ...bucketBounds].map((first, i) => {
      const next = bucketBounds[i];
      return fromRows(
        i === 0 ? paramBucketSortKeys.from : paramBucketSortKey(first),
        next === undefined ? paramBucketSortKeys.to : paramBucketSortKey(next - 1),
      );
    });
    // Run ids are hex: per-run rows are read over ranges of their first digit.
    const digits = Array.from({ length: plan.perRunSegments - 1 }, (_, i) =>
      ((16 / plan.perRunSegments) * (i + 1)).toString(16),
    );
    const perRunRanges =
      plan.perRunSegments > 0
        ? [undefined, ...digits].map((first, i) => {
            const next = digits[i];
            return fromRows(
              first ?? paramPerRunSortKeys.from,
              next === undefined ? paramPerRunSortKeys.to : `${(parseInt(next, 16) - 1).toString(16)}~`,
            );
          })
        : [];
    await Promise.all([
      ...[...bucketRanges, ...perRunRanges].map((read) => read()),
      ...(plan.legacy ? fromLegacyEntries() : []),
    ]);
    return found;
  }

  /** Ids of the runs whose tag `tagKey` may equal `value`. */
  async runIdsByTag(workspace: string, experimentId: string, tagKey: string, value: string) {
    return this.indexRunIds(tagIndexPartition(workspace, experimentId, tagKey), undefined, indexedValuePrefix(value));
  }

  /** Ids of the runs whose parent is `parentRunId`, from the experiment's child index. */
  async runIdsByParent(workspace: string, experimentId: string, parentRunId: string) {
    return this.indexRunIds(childRunsPartition(workspace, experimentId), undefined, childRunsOf(parentRunId));
  }

  /** Ids of the runs named `name`. */
  async runIdsByName(workspace: string, experimentId: string, name: string) {
    const entries = queryAllItems(this.client, {
      TableName: this.tableName,
      IndexName: logicalIndexes.runsByName,
      KeyConditionExpression: 'gsi2pk = :partition AND begins_with(gsi2sk, :prefix)',
      ExpressionAttributeValues: {
        ':partition': runsByNamePartition(workspace, experimentId),
        ':prefix': indexedValuePrefix(name),
      },
    });
    const ids: string[] = [];
    for await (const item of entries) ids.push(runIdOfIndexSortKey(item.gsi2sk as string));
    return ids;
  }

  private async indexRunIds(partition: string, range?: SortKeyRange, prefix?: string) {
    const entries = queryAllItems(this.client, {
      TableName: this.tableName,
      // The entry is its key; the partition key (as long again) need not travel back 1,000 times.
      ProjectionExpression: 'sk',
      ...indexKeyCondition(partition, range, prefix),
    });
    const ids: string[] = [];
    for await (const item of entries) ids.push(runIdOfIndexSortKey(item.sk as string));
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
      const sortKey = item.gsi1sk as string;
      const runItem = item as unknown as RunItem;
      // Tags that spilled onto pages are not on the index entry: the (rare) run that has some reads them.
      const run = runItem.tagPages
        ? (await withPagedTags(this.client, this.tableName, workspace, [runItem]))[0]
        : toRun(runItem);
      yield { runId: runItem.runId, sortKey, value: sortKey.slice(0, sortKey.lastIndexOf('#')), run };
    }
  }

  /** Runs in name order (gsi2 holds keys only: the runs are loaded afterwards). */
  async *streamByName(
    workspace: string,
    experimentId: string,
    descending: boolean,
    fromName: string | undefined,
    pageSize: number,
  ): AsyncGenerator<StreamEntry> {
    const range =
      fromName === undefined
        ? undefined
        : descending
          ? { from: '\u0000', to: `${indexedValuePrefix(fromName)}\uffff` }
          : { from: indexedValuePrefix(fromName), to: '\u{10ffff}' };
    const input = indexQuery(
      this.tableName,
      runsByNamePartition(workspace, experimentId),
      logicalIndexes.runsByName,
      range,
      descending,
    );
    for await (const item of queryAllItems(this.client, input, {
      firstPage: pageSize,
      maxPage: Math.max(1000, pageSize),
    })) {
      const sortKey = item.gsi2sk as string;
      yield { runId: runIdOfIndexSortKey(sortKey), sortKey, value: sortKey.slice(0, -33) };
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
    const pages = { firstPage: pageSize, maxPage: Math.max(1000, pageSize) };
    const client = this.client;
    const entries = async function* (input: QueryCommandInput, sortKeyOf: (item: Record<string, unknown>) => string) {
      for await (const item of queryAllItems(client, input, pages)) {
        const sortKey = sortKeyOf(item);
        yield { runId: runIdOfIndexSortKey(sortKey), sortKey, value: sortKey.slice(0, sortKey.lastIndexOf('#')) };
      }
    };
    const partition = metricIndexPartition(workspace, experimentId, metricKey);
    const fromItems = entries(
      indexQuery(this.tableName, partition, undefined, range, descending),
      (item) => item.sk as string,
    );
    const slot = await this.slots.slotOf(workspace, experimentId, metricKey);
    if (slot === undefined) {
      yield* fromItems;
      return;
    }
    // A slot entry's sort key ends before the run (metricSlotSortKey): its run, the entry's table key, is
    // appended as an index item's sort key has it, so that both merge in one order (consume orders a value's runs).
    const index = metricSlotIndex(slot);
    const fromSlot = entries(
      indexQuery(this.tableName, metricSlotPartition(workspace, experimentId, metricKey), index, range, descending),
      (item) => `${item[index.sortKey] as string}${runIdFromPartition(item.pk)}`,
    );
    yield* mergeStreams([fromItems, fromSlot], descending);
  }

  /** The run's MLflow inputs and outputs, as get_run answers them: one Query of its IO partition. */
  async ioOfRun(workspace: string, runId: string): Promise<RunIo> {
    return readRunIo(this.client, this.tableName, workspace, runId);
  }

  /**
   * The runs with their params, tags and latest metrics: two items a run (the
   * run item and the values item), 100 keys per BatchGetItem; `known` run items
   * (from gsi1) are not read again. Runs whose tags, params or metrics spilled
   * onto pages of their own are read whole, with a Query of their partition.
   * Runs that do not exist in this workspace are simply absent.
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
      runValuesKey(workspace, runId),
    ]);
    const items = await this.batchGet(keys, consistent);
    const byRun = new Map<string, Record<string, unknown>[]>();
    for (const item of items) {
      const runId = runIdFromPartition(item.pk as string);
      byRun.set(runId, [...(byRun.get(runId) ?? []), item]);
    }
    const details = new Map<string, RunDetails>();
    const spilled: string[] = [];
    for (const runId of unique) {
      const runItems = byRun.get(runId) ?? [];
      const head = runItems.find((item) => item.type === entityTypes.run);
      const values = runItems.find((item) => item.type === entityTypes.runValues);
      const knownRun = known.get(runId);
      if (!head && !knownRun) continue;
      const tagPages = head ? ((head.tagPages as number | undefined) ?? 0) : 0;
      if (tagPages > 0 || ((values?.metricPages as number | undefined) ?? 0) > 0 || values?.paramsOverflow === true) {
        spilled.push(runId);
        continue;
      }
      const fromItems = runDetailsFromItems([
        ...(head ? [head] : [{ ...knownRunItem(knownRun as Run), type: entityTypes.run }]),
        ...(values ? [values] : []),
      ]);
      // A run known from gsi1 keeps what its item said there: all its tags, the copy of its IO.
      const fromKnown = knownRun &&
        !head && { tags: knownRun.tags, ...(knownRun.keptIo && { keptIo: knownRun.keptIo }) };
      if (fromItems) details.set(runId, fromKnown ? { ...fromItems, ...fromKnown } : fromItems);
    }
    await Promise.all(
      spilled.map(async (runId) => {
        const whole = await queryRunDetails(this.client, this.tableName, workspace, runId, consistent);
        if (whole) details.set(runId, whole);
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
            new BatchGetCommand({
              RequestItems: {
                [this.tableName]: { Keys: pending, ConsistentRead: consistent, ...runDetailsProjection },
              },
            }),
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
  index: 'gsi1' | 'gsi2' | GlobalIndexDefinition | undefined,
  range: SortKeyRange | undefined,
  descending: boolean,
): QueryCommandInput {
  const [name, pk, sk] =
    index === undefined
      ? [undefined, 'pk', 'sk']
      : typeof index === 'string'
        ? [index, `${index}pk`, `${index}sk`]
        : [index.indexName, index.partitionKey, index.sortKey];
  return {
    TableName: tableName,
    ...(name ? { IndexName: name } : {}),
    KeyConditionExpression: range ? `${pk} = :partition AND ${sk} BETWEEN :from AND :to` : `${pk} = :partition`,
    ExpressionAttributeValues: range
      ? { ':partition': partition, ':from': range.from, ':to': range.to }
      : { ':partition': partition },
    ScanIndexForward: !descending,
  };
}

/** `WS#<ws>#RUN#<run id>` (a run item's, values item's or metric page's partition). */
const runIdFromPartition = (pk: unknown) => (pk as string).slice((pk as string).lastIndexOf('#') + 1);

/** A run known from gsi1, as the item it was read from (its tags are all there unless it has tag pages). */
const knownRunItem = (run: Run): RunItem => ({ ...run, endTime: run.endTime, tags: run.tags });

/** The metric value an index sort key stands for. */
export const metricValueFromSortKey = (sortKey: string) => decodeSortableNumber(sortKey.slice(0, sortKey.indexOf('#')));
