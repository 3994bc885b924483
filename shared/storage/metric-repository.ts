import { BatchWriteCommand, type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { decodeMetricChunk, encodeMetricChunk, type MetricPoint } from '../domain/metric-chunk.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';
import { entityTypes, metricChunkFromStep, metricChunkKey, metricHistoryPartition } from './keys.ts';
import { metricIndexItem } from './run-items.ts';

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
}

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
   * index entry of every key in `index.latest` (keys whose latest value changed).
   */
  async writeChunks(
    workspace: string,
    runId: string,
    batchId: string,
    series: Map<string, MetricPoint[]>,
    index: { experimentId: string; latest: Array<[key: string, point: MetricPoint]> } = {
      experimentId: '',
      latest: [],
    },
  ) {
    const items = [...series].flatMap(([key, points]) => {
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
    });
    for (const [key, point] of index.latest) {
      items.push(metricIndexItem(workspace, index.experimentId, runId, key, point.value));
    }
    for (let start = 0; start < items.length; start += BATCH_WRITE_SIZE) {
      await this.batchPut(items.slice(start, start + BATCH_WRITE_SIZE));
    }
  }

  private async batchPut(items: Record<string, unknown>[]) {
    let pending: Record<string, unknown>[] = items.map((Item) => ({ PutRequest: { Item } }));
    for (let attempt = 1; pending.length > 0; attempt++) {
      if (attempt > MAX_BATCH_WRITE_ATTEMPTS) throw new Error('DynamoDB kept items unprocessed; giving up');
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
    // A token continues the same key's history over the same step range.
    const binding = JSON.stringify([
      'history',
      partition,
      query.startStep ?? null,
      query.endStep ?? null,
      query.lookbackSteps,
    ]);
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

    let startKey: Record<string, unknown> | undefined;
    let exhausted = false;
    reading: for (;;) {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
          ExpressionAttributeValues: { ':pk': partition, ':from': fromSk, ':to': toSk },
          ExclusiveStartKey: startKey,
          // Chunks hold about a request's worth of points: read a few more than the page needs.
          Limit: Math.min(1000, Math.ceil(query.limit / 100) + 4),
        }),
      );
      for (const item of page.Items ?? []) {
        release(item.minStep as number);
        if (given.length >= query.limit) break reading;
        const chunk = item.sk as string;
        lastChunk = chunk;
        decodeMetricChunk(item.points as Uint8Array).forEach((point, index) => {
          const placed = { ...point, chunk, index };
          if (point.step < startStep || point.step > endStep) return;
          if (after && !isAfter(placed, after)) return;
          pool.push(placed);
        });
      }
      startKey = page.LastEvaluatedKey;
      if (!startKey) {
        exhausted = true;
        break;
      }
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
}

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
