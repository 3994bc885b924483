import type { MetricPoint } from '../domain/metric-chunk.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';
import { metricChunkFromStep, metricHistoryPartition } from './keys.ts';
import type { InlineChunk, MetricRepository } from './metric-repository.ts';

/**
 * A key's history in MLflow's order, apart from MetricRepository (which keeps it in step order)
 * so that only the function reading it carries this.
 */

/** A point in MLflow's history order: timestamp, step, value as stored there, then chunk and index break ties. */
interface TimedPoint extends MetricPoint {
  order: number;
  chunk: string;
  index: number;
}

/**
 * A value as MLflow's SQL store orders it: it keeps NaN as 0 and ±Infinity as the largest finite
 * double of that sign (its metrics table holds neither).
 */
const storedOrderValue = (value: number) =>
  Number.isNaN(value) ? 0 : value === Infinity ? Number.MAX_VALUE : value === -Infinity ? -Number.MAX_VALUE : value;

const compareNumbers = (a: number, b: number) => (a < b ? -1 : a > b ? 1 : 0);

const compareTimed = (a: TimedPoint, b: TimedPoint) =>
  compareNumbers(a.timestamp, b.timestamp) ||
  compareNumbers(a.step, b.step) ||
  compareNumbers(a.order, b.order) ||
  (a.chunk < b.chunk ? -1 : a.chunk > b.chunk ? 1 : 0) ||
  a.index - b.index;

export interface TimeOrderQuery {
  limit: number;
  pageToken: string | undefined;
  inline: InlineChunk | undefined;
  /** The key's count of batches landed (StoredMetricEntry.n): the history has not changed while it stays. */
  batches: number;
}

/**
 * One page of a key's history in MLflow's order: timestamp, step, then value (its SQL store's
 * ORDER BY), write order breaking the ties left. Chunks are kept in step order, so a page reads
 * the whole history, keeping at most twice a page of points in memory. The token keeps the last
 * point given, and, when the whole history proved to be in time order chunk after chunk (a run
 * logs its steps as time goes), where the next page starts among the chunks: while no batch
 * lands, the next page reads only the chunks it answers from.
 */
export async function historyPageByTime(
  metrics: MetricRepository,
  workspace: string,
  runId: string,
  metricKey: string,
  query: TimeOrderQuery,
): Promise<{ points: MetricPoint[]; cursor: string | undefined }> {
  const partition = metricHistoryPartition(workspace, runId, metricKey);
  const binding = JSON.stringify(['history-by-time', partition]);
  const position = await decodeCursor(binding, query.pageToken);
  const after = parseTimedPosition(position?.after);
  const from = position?.batches === query.batches && typeof position.from === 'string' ? position.from : undefined;
  const read = from === undefined ? await wholeHistory(metrics, partition, query, after) : undefined;
  const { kept, inChunkOrder } = read ?? {
    kept: await chunkOrderedFrom(metrics, partition, query, from as string, after),
    inChunkOrder: true,
  };
  const page = kept.slice(0, query.limit);
  const last = page[page.length - 1];
  const next = kept[query.limit];
  if (!next || !last) return { points: page.map(pointOnly), cursor: undefined };
  const cursor = await encodeCursor(binding, {
    after: [last.timestamp, last.step, last.order, last.chunk, last.index],
    ...(inChunkOrder ? { batches: query.batches, from: next.chunk } : {}),
  });
  return { points: page.map(pointOnly), cursor };
}

/**
 * The first `limit + 1` points after `after` in time order, of every chunk; and whether the
 * history in chunk order (chunks by sort key, that is by lowest step, each in step order) is in
 * time order as well.
 */
async function wholeHistory(
  metrics: MetricRepository,
  partition: string,
  query: TimeOrderQuery,
  after: TimedPoint | undefined,
): Promise<{ kept: TimedPoint[]; inChunkOrder: boolean }> {
  const wanted = query.limit + 1;
  let kept: TimedPoint[] = [];
  let worstKept: TimedPoint | undefined;
  const trim = () => {
    kept.sort(compareTimed);
    kept = kept.slice(0, wanted);
    worstKept = kept.length === wanted ? kept[wanted - 1] : undefined;
  };
  let inChunkOrder = true;
  // The point before, in chunk order: the history is in time order as long as none goes back.
  const previous: TimedPoint = {
    step: 0,
    timestamp: Number.NEGATIVE_INFINITY,
    value: 0,
    order: 0,
    chunk: '',
    index: 0,
  };
  const chunks = metrics.chunksBetween(
    partition,
    metricChunkFromStep(Number.MIN_SAFE_INTEGER),
    `${metricChunkFromStep(Number.MAX_SAFE_INTEGER)}\uffff`,
    { inline: query.inline, consistent: false },
  );
  for await (const item of chunks) {
    // Most points are refused: they are compared before any object is made of them.
    const candidate: TimedPoint = { step: 0, timestamp: 0, value: 0, order: 0, chunk: item.sk, index: 0 };
    for (let index = 0; index < item.points.length; index++) {
      const point = item.points[index] as MetricPoint;
      candidate.step = point.step;
      candidate.timestamp = point.timestamp;
      candidate.value = point.value;
      candidate.order = storedOrderValue(point.value);
      candidate.index = index;
      if (inChunkOrder) {
        inChunkOrder = compareTimed(previous, candidate) < 0;
        Object.assign(previous, candidate);
      }
      if (after && compareTimed(candidate, after) <= 0) continue;
      if (worstKept && compareTimed(candidate, worstKept) >= 0) continue;
      kept.push({ ...candidate });
    }
    if (kept.length >= 2 * wanted) trim();
  }
  trim();
  return { kept, inChunkOrder };
}

/**
 * The first `limit + 1` points after `after` of a history found in time order chunk after chunk
 * (wholeHistory) and unchanged since: read from the chunk the next point is in, in chunk order.
 */
async function chunkOrderedFrom(
  metrics: MetricRepository,
  partition: string,
  query: TimeOrderQuery,
  from: string,
  after: TimedPoint | undefined,
): Promise<TimedPoint[]> {
  const kept: TimedPoint[] = [];
  const chunks = metrics.chunksBetween(partition, from, `${metricChunkFromStep(Number.MAX_SAFE_INTEGER)}\uffff`, {
    // Chunks hold about a request's worth of points: read a few more than the page needs.
    pageLimit: Math.min(1000, Math.ceil(query.limit / 100) + 4),
    inline: query.inline,
    consistent: false,
  });
  for await (const item of chunks) {
    for (let index = 0; index < item.points.length && kept.length <= query.limit; index++) {
      const point = item.points[index] as MetricPoint;
      const timed = { ...point, order: storedOrderValue(point.value), chunk: item.sk, index };
      if (!after || compareTimed(timed, after) > 0) kept.push(timed);
    }
    if (kept.length > query.limit) break;
  }
  return kept;
}

const pointOnly = ({ step, timestamp, value }: TimedPoint): MetricPoint => ({ step, timestamp, value });

function parseTimedPosition(value: unknown): TimedPoint | undefined {
  if (
    !Array.isArray(value) ||
    value.length !== 5 ||
    typeof value[0] !== 'number' ||
    typeof value[1] !== 'number' ||
    typeof value[2] !== 'number' ||
    typeof value[3] !== 'string' ||
    typeof value[4] !== 'number'
  ) {
    return undefined;
  }
  const [timestamp, step, order, chunk, index] = value as [number, number, number, string, number];
  return { timestamp, step, value: order, order, chunk, index };
}
