import {
  BatchWriteCommand,
  type DynamoDBDocumentClient,
  PutCommand,
  QueryCommand,
  type QueryCommandOutput,
} from '@aws-sdk/lib-dynamodb';
import { rollupItemId } from '../domain/downsample.ts';
import { decodeMetricChunk, encodeMetricChunk, type MetricPoint } from '../domain/metric-chunk.ts';
import { decodeRollup, encodeRollup, type RollupBuckets } from '../domain/rollup.ts';
import { ServiceUnavailableError } from '../errors.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';
import { conditionFailedItem } from './dynamo-errors.ts';
import {
  type PrimaryKey,
  entityTypes,
  metricChunkFromStep,
  metricChunkKey,
  metricHistoryPartition,
  metricRollupKey,
  metricRollupSortKey,
} from './keys.ts';
import { metricIndexEntry } from './run-items.ts';

/** Points per chunk item: 5,000 points are about 50 KB, far below the 400 KB item limit. */
const POINTS_PER_CHUNK = 5000;
const BATCH_WRITE_SIZE = 25;
const MAX_BATCH_WRITE_ATTEMPTS = 8;

/** A point as it sits in the history order: step, timestamp, then chunk and index break ties. */
interface PlacedPoint extends MetricPoint {
  chunk: string;
  index: number;
}

type Position = [step: number, timestamp: number, chunk: string, index: number];

const comparePlaced = (a: PlacedPoint, b: PlacedPoint) =>
  a.step - b.step ||
  a.timestamp - b.timestamp ||
  (a.chunk < b.chunk ? -1 : a.chunk > b.chunk ? 1 : 0) ||
  a.index - b.index;

const isAfter = (point: PlacedPoint, position: Position) =>
  comparePlaced(point, {
    step: position[0],
    timestamp: position[1],
    chunk: position[2],
    index: position[3],
    value: 0,
  }) > 0;

export interface HistoryQuery {
  limit: number;
  pageToken: string | undefined;
  startStep: number | undefined;
  endStep: number | undefined;
  /** The widest step span of any chunk of this key: chunks starting this far before startStep may reach into it. */
  lookbackSteps: number;
  /** The key's first points, when they are kept with its latest value instead of in a chunk item. */
  inline?: InlineChunk | undefined;
}

/** First points kept beside a key's latest value: a chunk in all but storage, placed where its item would sort. */
export interface InlineChunk {
  sk: string;
  points: MetricPoint[];
}

/** The chunk sort key inline points stand in for (see metricChunkKey): a retry of their batch writes no chunk. */
export const inlineChunkSortKey = (points: readonly MetricPoint[], batchId: string) =>
  `${metricChunkFromStep(Math.min(...points.map((point) => point.step)))}#${batchId}#0`;

/** A rollup item's version: the batch counter its raw points were read at (level 1), or its children's versions. */
export type RollupVersion = { v: number } | { vl: number; vr: number };

/** The index entries a batch writes: its keys' new latest values, each entry with the run's param digests. */
export interface MetricEntries {
  experimentId: string;
  latest: Array<[key: string, value: number]>;
  params: Uint8Array | undefined;
}

interface ChunkItem {
  sk: string;
  minStep: number;
  points: MetricPoint[];
}

/**
 * The batch id each key's chunks are named by: one for the whole request, or
 * (MLflow's dialect) one per key, derived from that key's points.
 */
export type BatchIds = string | ((key: string) => string);

const batchIdOf = (batchIds: BatchIds, key: string) => (typeof batchIds === 'string' ? batchIds : batchIds(key));

/**
 * Metric history, packed: every request writes one item per metric key holding
 * all of that key's points (see metric-chunk.ts), written whole with a PutItem,
 * never appended to. A chunk's sort key is derived from the batch id, so a
 * retried request rewrites the very same items and no point is ever duplicated.
 */
export class MetricRepository {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /**
   * Writes the batch's chunks, and in the same BatchWrite the `runsByMetricValue`
   * index entries of `index.latest` (keys whose latest value changes), each with
   * `index.params` (run-items.ts entryParamDigests).
   */
  async writeChunks(
    workspace: string,
    runId: string,
    batchIds: BatchIds,
    series: ReadonlyMap<string, MetricPoint[]>,
    index: MetricEntries = { experimentId: '', latest: [], params: undefined },
  ) {
    const items = this.chunkAndIndexItems(workspace, runId, batchIds, series, index);
    await this.batchWrite(items.map((Item) => ({ PutRequest: { Item } })));
  }

  /** The items `writeChunks` writes: chunks of the points and index entries of the latest values. */
  chunkAndIndexItems(
    workspace: string,
    runId: string,
    batchIds: BatchIds,
    series: ReadonlyMap<string, MetricPoint[]>,
    index: MetricEntries,
  ): Record<string, unknown>[] {
    const items: Record<string, unknown>[] = [...series].flatMap(([key, points]) =>
      this.chunkItems(workspace, runId, batchIdOf(batchIds, key), key, points),
    );
    for (const [key, value] of index.latest) {
      items.push(metricIndexEntry(workspace, index.experimentId, runId, key, value, index.params));
    }
    return items;
  }

  /** The chunk items of one key's points from one batch (several when a batch holds over 5,000 points of it). */
  chunkItems(workspace: string, runId: string, batchId: string, key: string, points: readonly MetricPoint[]) {
    const sorted = [...points].sort((a, b) => a.step - b.step || a.timestamp - b.timestamp);
    const chunks: Record<string, unknown>[] = [];
    for (let start = 0, index = 0; start < sorted.length; start += POINTS_PER_CHUNK, index++) {
      const slice = sorted.slice(start, start + POINTS_PER_CHUNK);
      const minStep = (slice[0] as MetricPoint).step;
      chunks.push({
        ...metricChunkKey(workspace, runId, key, minStep, batchId, index),
        type: entityTypes.metricChunk,
        minStep,
        count: slice.length,
        points: encodeMetricChunk(slice),
      });
    }
    return chunks;
  }

  /** The keys of the chunk items `chunkItems` makes of these points. */
  chunkKeys(
    workspace: string,
    runId: string,
    batchId: string,
    key: string,
    points: readonly MetricPoint[],
  ): PrimaryKey[] {
    return this.chunkItems(workspace, runId, batchId, key, points).map((item) => ({
      pk: item.pk as string,
      sk: item.sk as string,
    }));
  }

  /** Removes items by key (chunks of a refused batch, index entries of replaced values), 25 per BatchWrite. */
  async deleteItems(keys: readonly PrimaryKey[]) {
    await this.batchWrite(keys.map((Key) => ({ DeleteRequest: { Key } })));
  }

  private async batchWrite(requests: Record<string, unknown>[]) {
    const groups: Record<string, unknown>[][] = [];
    for (let start = 0; start < requests.length; start += BATCH_WRITE_SIZE) {
      groups.push(requests.slice(start, start + BATCH_WRITE_SIZE));
    }
    await Promise.all(groups.map((group) => this.batchSend(group)));
  }

  private async batchSend(requests: Record<string, unknown>[]) {
    let pending = requests;
    for (let attempt = 1; pending.length > 0; attempt++) {
      if (attempt > MAX_BATCH_WRITE_ATTEMPTS) throw new ServiceUnavailableError(1);
      if (attempt > 1) await new Promise((resolve) => setTimeout(resolve, 2 ** attempt * 10 * Math.random()));
      const result = await this.client.send(
        new BatchWriteCommand({ RequestItems: { [this.tableName]: pending as never } }),
      );
      pending = (result.UnprocessedItems?.[this.tableName] ?? []) as Record<string, unknown>[];
    }
  }

  /**
   * One page of a key's history in step order. Chunks are read in order of their
   * smallest step; a point is final once the next chunk starts above its step,
   * because no later chunk can hold a smaller one. Overlapping chunks (two
   * writers logging the same steps) are merged correctly. The token keeps the
   * earliest chunk that still has points to give, plus the last point given.
   */
  async historyPage(
    workspace: string,
    runId: string,
    metricKey: string,
    query: HistoryQuery,
  ): Promise<{ points: MetricPoint[]; cursor: string | undefined }> {
    const partition = metricHistoryPartition(workspace, runId, metricKey);
    // A token continues the same key's history over the same step range. Not bound to the
    // lookback: it only places the first page, and it widens as a live run logs a batch spanning
    // more steps than any before, which made every token of its history a 400 mid-read.
    const binding = JSON.stringify(['history', partition, query.startStep ?? null, query.endStep ?? null]);
    const position = await decodeCursor(binding, query.pageToken);
    const after = parsePosition(position?.after);
    const fromSk =
      typeof position?.from === 'string'
        ? position.from
        : metricChunkFromStep(
            Math.max(Number.MIN_SAFE_INTEGER, (query.startStep ?? Number.MIN_SAFE_INTEGER) - query.lookbackSteps),
          );
    const toSk = `${metricChunkFromStep(query.endStep ?? Number.MAX_SAFE_INTEGER)}\uffff`;
    const startStep = query.startStep ?? Number.MIN_SAFE_INTEGER;
    const endStep = query.endStep ?? Number.MAX_SAFE_INTEGER;

    const pool: PlacedPoint[] = [];
    const given: PlacedPoint[] = [];
    let lastChunk = fromSk;
    const release = (belowStep: number) => {
      pool.sort(comparePlaced);
      let released = 0;
      while (released < pool.length && given.length < query.limit && (pool[released] as PlacedPoint).step < belowStep) {
        given.push(pool[released] as PlacedPoint);
        released++;
      }
      pool.splice(0, released);
    };

    let exhausted = true;
    const chunks = this.chunksBetween(partition, fromSk, toSk, {
      // Chunks hold about a request's worth of points: read a few more than the page needs.
      pageLimit: Math.min(1000, Math.ceil(query.limit / 100) + 4),
      inline: query.inline,
      consistent: false,
    });
    for await (const item of chunks) {
      release(item.minStep);
      if (given.length >= query.limit) {
        exhausted = false;
        break;
      }
      const chunk = item.sk;
      lastChunk = chunk;
      item.points.forEach((point, index) => {
        const placed = { ...point, chunk, index };
        if (point.step < startStep || point.step > endStep) return;
        if (after && !isAfter(placed, after)) return;
        pool.push(placed);
      });
    }
    if (exhausted) release(Number.POSITIVE_INFINITY);
    const morePending = pool.length > 0 || !exhausted;
    const last = given[given.length - 1];
    if (!morePending || !last) {
      return { points: given.map(stripPlacement), cursor: undefined };
    }
    const from = pool.map((point) => point.chunk).sort()[0] ?? lastChunk;
    const cursor = await encodeCursor(binding, { from, after: [last.step, last.timestamp, last.chunk, last.index] });
    return { points: given.map(stripPlacement), cursor };
  }

  /**
   * A key's chunks with sort keys in [fromSk, toSk], in that order, the inline first points among them
   * (`partition`: keys.ts metricHistoryPartition).
   */
  async *chunksBetween(
    partition: string,
    fromSk: string,
    toSk: string,
    options: { pageLimit?: number; inline: InlineChunk | undefined; consistent: boolean },
  ): AsyncGenerator<ChunkItem> {
    const inline =
      options.inline && options.inline.sk >= fromSk && options.inline.sk <= toSk ? options.inline : undefined;
    let inlinePending = inline !== undefined;
    const inlineChunk = (): ChunkItem => ({
      sk: (inline as InlineChunk).sk,
      minStep: Math.min(...(inline as InlineChunk).points.map((point) => point.step)),
      points: (inline as InlineChunk).points,
    });
    let startKey: Record<string, unknown> | undefined;
    do {
      const page: QueryCommandOutput = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
          ExpressionAttributeValues: { ':pk': partition, ':from': fromSk, ':to': toSk },
          ExclusiveStartKey: startKey,
          ConsistentRead: options.consistent,
          ...(options.pageLimit ? { Limit: options.pageLimit } : {}),
        }),
      );
      for (const item of page.Items ?? []) {
        const sk = item.sk as string;
        if (inlinePending && (inline as InlineChunk).sk < sk) {
          inlinePending = false;
          yield inlineChunk();
        }
        yield { sk, minStep: item.minStep as number, points: decodeMetricChunk(item.points as Uint8Array) };
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    if (inlinePending) yield inlineChunk();
  }

  /**
   * Every point with a step in [start, end), in history order (step, timestamp,
   * then write order). Chunks that begin up to `lookback` steps earlier are read too.
   */
  async pointsInRange(
    workspace: string,
    runId: string,
    metricKey: string,
    range: { start: number; end: number; lookback: number; inline?: InlineChunk | undefined; consistent: boolean },
  ): Promise<MetricPoint[]> {
    if (range.end <= range.start) return [];
    const partition = metricHistoryPartition(workspace, runId, metricKey);
    const fromSk = metricChunkFromStep(Math.max(Number.MIN_SAFE_INTEGER, range.start - range.lookback));
    const toSk = `${metricChunkFromStep(Math.min(Number.MAX_SAFE_INTEGER, range.end - 1))}\uffff`;
    const placed: PlacedPoint[] = [];
    for await (const chunk of this.chunksBetween(partition, fromSk, toSk, {
      inline: range.inline,
      consistent: range.consistent,
    })) {
      chunk.points.forEach((point, index) => {
        if (point.step >= range.start && point.step < range.end) placed.push({ ...point, chunk: chunk.sk, index });
      });
    }
    return placed.sort(comparePlaced).map(stripPlacement);
  }

  /** Rollup items by level and index (absent ones hold no points), each level's indexes read in runs of neighbours. */
  async rollupItems(
    workspace: string,
    runId: string,
    metricKey: string,
    wanted: ReadonlyArray<{ level: number; index: number }>,
    consistent: boolean,
  ): Promise<Map<string, { buckets: RollupBuckets; version: RollupVersion }>> {
    const partition = metricHistoryPartition(workspace, runId, metricKey);
    const byLevel = new Map<number, number[]>();
    for (const { level, index } of wanted) byLevel.set(level, [...(byLevel.get(level) ?? []), index]);
    const runs: Array<{ level: number; from: number; to: number }> = [];
    for (const [level, indexes] of byLevel) {
      const sorted = [...new Set(indexes)].sort((a, b) => a - b);
      let from = sorted[0] as number;
      let to = from;
      for (const index of sorted.slice(1)) {
        if (index === to + 1) to = index;
        else {
          runs.push({ level, from, to });
          from = to = index;
        }
      }
      runs.push({ level, from, to });
    }
    const found = new Map<string, { buckets: RollupBuckets; version: RollupVersion }>();
    await Promise.all(
      runs.map(async ({ level, from, to }) => {
        let startKey: Record<string, unknown> | undefined;
        do {
          const page: QueryCommandOutput = await this.client.send(
            new QueryCommand({
              TableName: this.tableName,
              KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
              ExpressionAttributeValues: {
                ':pk': partition,
                ':from': metricRollupSortKey(level, from),
                ':to': metricRollupSortKey(level, to),
              },
              ExclusiveStartKey: startKey,
              ConsistentRead: consistent,
            }),
          );
          for (const item of page.Items ?? []) {
            const index = item.index as number;
            found.set(rollupItemId(level, index), {
              buckets: decodeRollup(level, index, item.data as Uint8Array),
              version: rollupVersionOf(item),
            });
          }
          startKey = page.LastEvaluatedKey;
        } while (startKey);
      }),
    );
    return found;
  }

  /**
   * Writes a rollup item unless the stored one was built from newer inputs
   * (see docs/data-model.md, "Rollups"): level 1 by its batch counter, higher
   * levels by both children's versions. Returns false when it was not written.
   */
  async putRollup(
    workspace: string,
    runId: string,
    metricKey: string,
    item: { level: number; index: number; buckets: RollupBuckets; version: RollupVersion },
  ): Promise<boolean> {
    const version = item.version;
    const condition =
      'v' in version
        ? { ConditionExpression: 'attribute_not_exists(pk) OR v < :v', ExpressionAttributeValues: { ':v': version.v } }
        : {
            ConditionExpression: 'attribute_not_exists(pk) OR (vl <= :vl AND vr <= :vr)',
            ExpressionAttributeValues: { ':vl': version.vl, ':vr': version.vr },
          };
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...metricRollupKey(workspace, runId, metricKey, item.level, item.index),
            type: entityTypes.metricRollup,
            level: item.level,
            index: item.index,
            ...version,
            data: encodeRollup(item.level, item.index, item.buckets),
          },
          ...condition,
        }),
      );
      return true;
    } catch (error) {
      if (conditionFailedItem(error) === false) throw error;
      return false;
    }
  }
}

/** An item's version as its parent records it: level 1 its counter, higher levels the sum of their children's. */
export const rollupVersionNumber = (version: RollupVersion | undefined) =>
  version === undefined ? 0 : 'v' in version ? version.v : version.vl + version.vr;

const rollupVersionOf = (item: Record<string, unknown>): RollupVersion =>
  typeof item.v === 'number' ? { v: item.v } : { vl: (item.vl as number) ?? 0, vr: (item.vr as number) ?? 0 };

const stripPlacement = ({ step, timestamp, value }: PlacedPoint): MetricPoint => ({ step, timestamp, value });

function parsePosition(value: unknown): Position | undefined {
  if (value === undefined) return undefined;
  if (
    Array.isArray(value) &&
    value.length === 4 &&
    typeof value[0] === 'number' &&
    typeof value[1] === 'number' &&
    typeof value[2] === 'string' &&
    typeof value[3] === 'number'
  ) {
    return value as Position;
  }
  return undefined;
}
