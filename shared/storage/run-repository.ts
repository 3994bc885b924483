import {
  BatchGetCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { MetricPoint } from '../domain/metric-chunk.ts';
import { parseNonFiniteValue, toWireMetricValue } from '../domain/metric-values.ts';
import type {
  LatestMetric,
  LifecycleStage,
  Page,
  Pipeline,
  Run,
  RunDetails,
  RunStatus,
  Tags,
  TerminalRunStatus,
  ViewType,
} from '../domain/types.ts';
import { ConflictError, NotFoundError } from '../errors.ts';
import { limits } from '../limits.ts';
import { conditionFailedItem } from './dynamo-errors.ts';
import {
  entityTypes,
  latestMetricsKey,
  paramSummaryKey,
  runKey,
  runPartitionKey,
  runsByExperimentPartition,
} from './keys.ts';
import { queryAllItems } from './query-page.ts';
import { latestMetricsItem, paramItem, paramSummaryItem, runItem } from './run-items.ts';
import { queryPage } from './query-page.ts';
import { indexPosition, logicalIndexes } from './table-definition.ts';
import { sendTransaction } from './transactions.ts';

/** Keys per grouped latest-value update: keeps the condition expression well under its 4 KB limit. */
const LATEST_KEYS_PER_UPDATE = 20;

export interface RunItem {
  runId: string;
  experimentId: string;
  runName: string;
  status: RunStatus;
  startTime: number;
  endTime?: number;
  tags?: Tags;
  parentRunId?: string;
  gitCommit?: string;
  codeVersion?: string;
  pipeline?: Pipeline;
  /** Absent on runs written before soft deletion existed: they are active. */
  lifecycleStage?: LifecycleStage;
  deletedAt?: number;
}

/**
 * Stored form of a latest metric. The value is kept as its exact decimal string:
 * DynamoDB numbers hold neither NaN and the infinities nor doubles outside
 * 1e-130..1e126, and a JavaScript number's shortest string round-trips exactly.
 */
export interface StoredLatestMetric {
  v: string;
  s: number;
  t: number;
}

export const toStoredLatest = (point: { value: number; step: number; timestamp: number }): StoredLatestMetric => ({
  v: String(toWireMetricValue(point.value)),
  s: point.step,
  t: point.timestamp,
});

export const fromStoredLatest = (key: string, stored: StoredLatestMetric): LatestMetric => ({
  key,
  value: parseNonFiniteValue(stored.v) ?? Number(stored.v),
  step: stored.s,
  timestamp: stored.t,
});

export const toRun = (item: RunItem): Run => ({
  runId: item.runId,
  experimentId: item.experimentId,
  runName: item.runName,
  status: item.status,
  startTime: item.startTime,
  endTime: item.endTime,
  tags: item.tags ?? {},
  parentRunId: item.parentRunId,
  gitCommit: item.gitCommit,
  codeVersion: item.codeVersion,
  pipeline: item.pipeline,
  lifecycleStage: item.lifecycleStage ?? 'active',
});

export interface IngestState {
  experimentId: string;
  status: RunStatus;
  lifecycleStage: LifecycleStage;
  latest: Record<string, StoredLatestMetric>;
  spans: Record<string, number>;
}

export interface ListRunsQuery {
  limit: number;
  pageToken: string | undefined;
  status: RunStatus | undefined;
  /** ACTIVE_ONLY when absent. */
  view?: ViewType | undefined;
}

/** Runs, their params and their latest metrics: everything in a run's own partition. */
export class RunRepository {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** Writes the run and its empty latest-metrics item together. */
  async create(workspace: string, run: Run): Promise<void> {
    await this.client.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: this.tableName,
              Item: runItem(workspace, run),
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          {
            Put: {
              TableName: this.tableName,
              Item: latestMetricsItem(workspace, run.runId),
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          {
            Put: {
              TableName: this.tableName,
              Item: paramSummaryItem(workspace, run.runId),
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
        ],
      }),
    );
  }

  /** The run item alone (one consistent GetItem), without params or metrics. */
  async get(workspace: string, runId: string): Promise<Run | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: runKey(workspace, runId), ConsistentRead: true }),
    );
    return Item ? toRun(Item as RunItem) : undefined;
  }

  /** The run with its params and latest metrics: one Query over the run's partition. */
  async getDetails(workspace: string, runId: string): Promise<RunDetails | undefined> {
    let run: Run | undefined;
    const params: Record<string, string> = {};
    let latest: Record<string, StoredLatestMetric> = {};
    const items = queryAllItems(this.client, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': runPartitionKey(workspace, runId) },
      ConsistentRead: true,
    });
    for await (const item of items) {
      if (item.type === entityTypes.run) run = toRun(item as unknown as RunItem);
      else if (item.type === entityTypes.param) params[item.key as string] = item.value as string;
      else if (item.type === entityTypes.latestMetrics) latest = item.metrics as Record<string, StoredLatestMetric>;
    }
    if (!run) return undefined;
    const metrics = Object.entries(latest)
      .map(([key, stored]) => fromStoredLatest(key, stored))
      .sort((a, b) => a.key.localeCompare(b.key));
    return { ...run, params, metrics };
  }

  /** Newest first, optionally only runs in one status. */
  async listByExperiment(workspace: string, experimentId: string, query: ListRunsQuery): Promise<Page<Run>> {
    const partition = runsByExperimentPartition(workspace, experimentId);
    const page = await queryPage(
      this.client,
      {
        TableName: this.tableName,
        IndexName: logicalIndexes.runsByExperiment,
        KeyConditionExpression: 'gsi1pk = :partition',
        ScanIndexForward: false,
        ...runListFilter(partition, query),
      },
      {
        partition,
        boundAttribute: 'gsi1pk',
        keyAttributes: indexPosition,
        limit: query.limit,
        pageToken: query.pageToken,
      },
    );
    return { items: page.items.map((item) => toRun(item as unknown as RunItem)), cursor: page.cursor };
  }

  /**
   * Ends a RUNNING run. Ending it again with the same status returns it as it is
   * (a retried request); a different terminal status is a ConflictError.
   */
  async end(workspace: string, runId: string, status: TerminalRunStatus, endTime: number): Promise<Run> {
    try {
      const { Attributes } = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: runKey(workspace, runId),
          UpdateExpression: 'SET #status = :status, endTime = :endTime',
          ConditionExpression: '#status = :running',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':status': status, ':endTime': endTime, ':running': 'RUNNING' },
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return toRun(Attributes as RunItem);
    } catch (error) {
      const item = conditionFailedItem(error);
      if (item === false) throw error;
      if (!item) throw new NotFoundError('run', runId);
      const existing = toRun(item as unknown as RunItem);
      if (existing.status === status) return existing;
      throw new ConflictError('run.already_ended', `run '${runId}' already ended as ${existing.status}`);
    }
  }

  /** Sets (or overwrites) tags; tags stay editable after a run ends. */
  async setTags(workspace: string, runId: string, tags: Tags): Promise<Run> {
    const names: Record<string, string> = { '#tags': 'tags' };
    const values: Record<string, unknown> = { ':room': limits.tagsPerEntity - Object.keys(tags).length };
    const sets = Object.entries(tags).map(([key, value], i) => {
      names[`#k${i}`] = key;
      values[`:v${i}`] = value;
      return `#tags.#k${i} = :v${i}`;
    });
    try {
      const { Attributes } = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: runKey(workspace, runId),
          UpdateExpression: `SET ${sets.join(', ')}`,
          ConditionExpression: 'attribute_exists(pk) AND size(#tags) <= :room',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return toRun(Attributes as RunItem);
    } catch (error) {
      const item = conditionFailedItem(error);
      if (item === false) throw error;
      if (!item) throw new NotFoundError('run', runId);
      throw new ConflictError('run.too_many_tags', `a run holds at most ${limits.tagsPerEntity} tags`);
    }
  }

  /**
   * Logs params, each an item written only if absent or equal: immutability is
   * the condition of the write itself, so two racing writers cannot both win.
   * All or none of a request's params are written. Each param item is also an
   * entry of the `runsByParamValue` index. Then the run's param summary (one
   * map, read by search results) gets the same values; a transaction cannot
   * include it (100 params plus it would exceed the 100-action limit), so if
   * that second write is lost, the client's retry of the request (the same
   * values are accepted again) repairs it.
   */
  async putParams(
    workspace: string,
    runId: string,
    experimentId: string,
    params: Record<string, string>,
  ): Promise<void> {
    const entries = Object.entries(params);
    const command = new TransactWriteCommand({
      TransactItems: entries.map(([key, value]) => ({
        Put: {
          TableName: this.tableName,
          Item: paramItem(workspace, experimentId, runId, key, value),
          ConditionExpression: 'attribute_not_exists(pk) OR #value = :value',
          ExpressionAttributeNames: { '#value': 'value' },
          ExpressionAttributeValues: { ':value': value },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        },
      })),
    });
    const reasons = await sendTransaction(this.client, command);
    if (!reasons) {
      await this.summariseParams(workspace, runId, params);
      return;
    }
    const index = reasons.findIndex((reason) => reason.Code === 'ConditionalCheckFailed');
    const key = entries[index]?.[0] ?? '';
    throw new ConflictError(
      'param.immutable',
      `param '${key}' is already logged as '${String(reasons[index]?.Item?.value)}'; params are immutable`,
    );
  }

  /**
   * Copies params into the run's summary map. A summary that would outgrow an
   * item is marked `overflow` instead, and readers fall back to the param items.
   */
  private async summariseParams(workspace: string, runId: string, params: Record<string, string>) {
    const names: Record<string, string> = { '#params': 'params' };
    const values: Record<string, unknown> = {};
    const sets = Object.entries(params).map(([key, value], i) => {
      names[`#k${i}`] = key;
      values[`:v${i}`] = value;
      return `#params.#k${i} = :v${i}`;
    });
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: paramSummaryKey(workspace, runId),
          UpdateExpression: `SET ${sets.join(', ')}`,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
    } catch (error) {
      if (!isItemTooLarge(error)) throw error;
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: paramSummaryKey(workspace, runId),
          UpdateExpression: 'SET overflow = :true',
          ExpressionAttributeValues: { ':true': true },
        }),
      );
    }
  }

  /** Every param of a run from its param items: the fallback for an overflowing summary. */
  async getParams(workspace: string, runId: string): Promise<Record<string, string>> {
    const params: Record<string, string> = {};
    const items = queryAllItems(this.client, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :params)',
      ExpressionAttributeValues: { ':pk': runPartitionKey(workspace, runId), ':params': 'PARAM#' },
    });
    for await (const item of items) params[item.key as string] = item.value as string;
    return params;
  }

  /**
   * What ingest and history reads need to know: the run's status, its latest
   * metrics and, per key, the widest step span of any history chunk.
   */
  async getIngestState(workspace: string, runId: string): Promise<IngestState | undefined> {
    const keys = [runKey(workspace, runId), latestMetricsKey(workspace, runId)];
    const result = await this.client.send(
      new BatchGetCommand({
        RequestItems: {
          [this.tableName]: {
            Keys: keys,
            ConsistentRead: true,
            ProjectionExpression: '#type, #status, #metrics, #spans, #experimentId, #stage',
            ExpressionAttributeNames: {
              '#stage': 'lifecycleStage',
              '#experimentId': 'experimentId',
              '#type': 'type',
              '#status': 'status',
              '#metrics': 'metrics',
              '#spans': 'spans',
            },
          },
        },
      }),
    );
    const items = result.Responses?.[this.tableName] ?? [];
    const run = items.find((item) => item.type === entityTypes.run);
    const latest = items.find((item) => item.type === entityTypes.latestMetrics);
    if (!run) return undefined;
    return {
      experimentId: run.experimentId as string,
      status: run.status as RunStatus,
      lifecycleStage: (run.lifecycleStage as LifecycleStage | undefined) ?? 'active',
      latest: (latest?.metrics ?? {}) as Record<string, StoredLatestMetric>,
      spans: (latest?.spans ?? {}) as Record<string, number>,
    };
  }

  /**
   * Updates attributes of an existing run item (lifecycle stage, name, status,
   * end time) in one conditional write; a missing run is a NotFoundError.
   */
  async updateAttributes(
    workspace: string,
    runId: string,
    changes: {
      lifecycleStage?: LifecycleStage;
      deletedAt?: number | null;
      runName?: string;
      status?: RunStatus;
      endTime?: number | null;
    },
  ): Promise<Run> {
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    const sets: string[] = [];
    const removes: string[] = [];
    for (const [attribute, value] of Object.entries(changes)) {
      if (value === undefined) continue;
      names[`#${attribute}`] = attribute;
      if (value === null) removes.push(`#${attribute}`);
      else {
        values[`:${attribute}`] = value;
        sets.push(`#${attribute} = :${attribute}`);
      }
    }
    const expression = [
      sets.length ? `SET ${sets.join(', ')}` : '',
      removes.length ? `REMOVE ${removes.join(', ')}` : '',
    ]
      .filter(Boolean)
      .join(' ');
    if (!expression) {
      const run = await this.get(workspace, runId);
      if (!run) throw new NotFoundError('run', runId);
      return run;
    }
    try {
      const { Attributes } = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: runKey(workspace, runId),
          UpdateExpression: expression,
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: names,
          ...(Object.keys(values).length ? { ExpressionAttributeValues: values } : {}),
          ReturnValues: 'ALL_NEW',
        }),
      );
      return toRun(Attributes as RunItem);
    } catch (error) {
      if (conditionFailedItem(error) === false) throw error;
      throw new NotFoundError('run', runId);
    }
  }

  /** Removes one tag; a tag that is not there is a NotFoundError naming it. */
  async deleteTag(workspace: string, runId: string, key: string): Promise<Run> {
    try {
      const { Attributes } = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: runKey(workspace, runId),
          UpdateExpression: 'REMOVE #tags.#key',
          ConditionExpression: 'attribute_exists(#tags.#key)',
          ExpressionAttributeNames: { '#tags': 'tags', '#key': key },
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return toRun(Attributes as RunItem);
    } catch (error) {
      const item = conditionFailedItem(error);
      if (item === false) throw error;
      if (!item) throw new NotFoundError('run', runId);
      throw new NotFoundError('tag', key);
    }
  }

  /**
   * Raises the recorded step span of `key` to `span` unless it is already that
   * wide. History reads that start at step S look back this far, to find the
   * chunks that begin before S but reach into it.
   */
  async widenStepSpan(workspace: string, runId: string, key: string, span: number): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: latestMetricsKey(workspace, runId),
          UpdateExpression: 'SET #spans.#key = :span',
          ConditionExpression: 'attribute_not_exists(#spans.#key) OR #spans.#key < :span',
          ExpressionAttributeNames: { '#spans': 'spans', '#key': key },
          ExpressionAttributeValues: { ':span': span },
        }),
      );
    } catch (error) {
      if (conditionFailedItem(error) === false) throw error;
    }
  }

  /**
   * Records each point as the latest value of its key, in one write per group of
   * keys (each write is billed on the whole item, so one write for ten keys
   * costs a tenth of ten). The condition asks every key of the group to be
   * older than its point; when any is not (racing or out-of-order batches), the
   * group falls back to per-key conditional updates.
   */
  async updateLatestMetrics(workspace: string, runId: string, points: ReadonlyMap<string, MetricPoint>): Promise<void> {
    const entries = [...points];
    const groups: Array<typeof entries> = [];
    for (let start = 0; start < entries.length; start += LATEST_KEYS_PER_UPDATE) {
      groups.push(entries.slice(start, start + LATEST_KEYS_PER_UPDATE));
    }
    await Promise.all(
      groups.map(async (group) => {
        const names: Record<string, string> = { '#metrics': 'metrics' };
        const values: Record<string, unknown> = {};
        const sets: string[] = [];
        const conditions: string[] = [];
        group.forEach(([key, point], i) => {
          const path = `#metrics.#k${i}`;
          names[`#k${i}`] = key;
          values[`:latest${i}`] = toStoredLatest(point);
          values[`:s${i}`] = point.step;
          values[`:t${i}`] = point.timestamp;
          sets.push(`${path} = :latest${i}`);
          conditions.push(
            `(attribute_not_exists(${path}) OR ${path}.s < :s${i} OR (${path}.s = :s${i} AND ${path}.t <= :t${i}))`,
          );
        });
        try {
          await this.client.send(
            new UpdateCommand({
              TableName: this.tableName,
              Key: latestMetricsKey(workspace, runId),
              UpdateExpression: `SET ${sets.join(', ')}`,
              ConditionExpression: conditions.join(' AND '),
              ExpressionAttributeNames: names,
              ExpressionAttributeValues: values,
            }),
          );
        } catch (error) {
          if (conditionFailedItem(error) === false) throw error;
          await Promise.all(group.map(([key, point]) => this.updateLatestMetric(workspace, runId, key, point)));
        }
      }),
    );
  }

  /**
   * Records `point` as the latest value of `key` unless a newer one (higher step,
   * then later timestamp) is already there. Racing batches resolve by the
   * condition, never by the order their writes land in.
   */
  async updateLatestMetric(workspace: string, runId: string, key: string, point: MetricPoint): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: latestMetricsKey(workspace, runId),
          UpdateExpression: 'SET #metrics.#key = :latest',
          ConditionExpression:
            'attribute_not_exists(#metrics.#key) OR #metrics.#key.s < :step OR (#metrics.#key.s = :step AND #metrics.#key.t <= :time)',
          ExpressionAttributeNames: { '#metrics': 'metrics', '#key': key },
          ExpressionAttributeValues: {
            ':latest': toStoredLatest(point),
            ':step': point.step,
            ':time': point.timestamp,
          },
        }),
      );
    } catch (error) {
      if (conditionFailedItem(error) === false) throw error;
    }
  }
}

/** The list's filter: one status if asked, and the lifecycle stages of the view (legacy runs count as active). */
function runListFilter(partition: string, query: ListRunsQuery) {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = { ':partition': partition };
  const conditions: string[] = [];
  if (query.status) {
    names['#status'] = 'status';
    values[':status'] = query.status;
    conditions.push('#status = :status');
  }
  const view = query.view ?? 'ACTIVE_ONLY';
  if (view !== 'ALL') {
    names['#stage'] = 'lifecycleStage';
    values[':deleted'] = 'deleted';
    conditions.push(
      view === 'ACTIVE_ONLY' ? '(attribute_not_exists(#stage) OR #stage <> :deleted)' : '#stage = :deleted',
    );
  }
  return {
    ExpressionAttributeValues: values,
    ...(conditions.length ? { FilterExpression: conditions.join(' AND '), ExpressionAttributeNames: names } : {}),
  };
}

const isItemTooLarge = (error: unknown) =>
  error instanceof Error && error.name === 'ValidationException' && /item size/i.test(error.message);
