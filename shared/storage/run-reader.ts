import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { LatestMetric, LifecycleStage, Pipeline, Run, RunDetails, RunStatus, Tags } from '../domain/types.ts';
import { entityTypes, experimentKey, runKey, runPartitionKey, tagPageKey } from './keys.ts';
import { queryAllItems } from './query-page.ts';
import { currentRunIoCopy } from './run-io-copy.ts';
import type { StoredMetricEntry, StoredPipeline, ValuesLayout } from './run-items.ts';
import { storedValueNumber } from './stored-value.ts';

/**
 * A run read by id, and nothing else: what the artifact, registry and logged
 * model use cases need of runs. A class of its own so that their functions'
 * bundles do not carry RunRepository's writes (test/infra/bundle-size.test.ts).
 */
export class RunReader {
  constructor(
    protected readonly client: DynamoDBDocumentClient,
    protected readonly tableName: string,
  ) {}

  /** The run (fields and tags), without params or metrics. */
  async get(workspace: string, runId: string): Promise<Run | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: runKey(workspace, runId), ConsistentRead: true }),
    );
    if (!Item) return undefined;
    const [run] = await withPagedTags(this.client, this.tableName, workspace, [Item as RunItem], true);
    return run;
  }

  /**
   * Its experiment's lifecycle stage alone (undefined: no such experiment), which a run's own
   * stage gives way to when deleted (runStage): one small read, without the experiment repository.
   */
  async experimentStage(workspace: string, experimentId: string): Promise<LifecycleStage | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: experimentKey(workspace, experimentId),
        ProjectionExpression: '#stage, pk',
        ExpressionAttributeNames: { '#stage': 'lifecycleStage' },
        ConsistentRead: true,
      }),
    );
    if (!Item) return undefined;
    // Experiments written before soft deletion existed have no stage: they are active.
    return (Item.lifecycleStage as LifecycleStage | undefined) ?? 'active';
  }

  /** The run with its params and latest metrics: one Query over the run's partition. */
  async getDetails(workspace: string, runId: string): Promise<RunDetails | undefined> {
    return queryRunDetails(this.client, this.tableName, workspace, runId, true);
  }
}

/** A run with its params and latest metrics, from one Query over the run's partition (undefined: no such run). */
export async function queryRunDetails(
  client: DynamoDBDocumentClient,
  tableName: string,
  workspace: string,
  runId: string,
  consistent: boolean,
): Promise<RunDetails | undefined> {
  const items: Record<string, unknown>[] = [];
  const query = queryAllItems(client, {
    TableName: tableName,
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': runPartitionKey(workspace, runId) },
    ConsistentRead: consistent,
  });
  for await (const item of query) items.push(item);
  return runDetailsFromItems(items);
}

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
  pipeline?: StoredPipeline;
  /** Absent on runs written before soft deletion existed: they are active. */
  lifecycleStage?: LifecycleStage;
  deletedAt?: number;
  tagVersion?: number;
  tagCount?: number;
  tagPages?: number;
  /** Absent until the run records MLflow inputs or outputs (Run.hasIo). */
  hasIo?: boolean;
  /** The copy of its datasets and outputs, and the IO writes it is current for (run-io-copy.ts). */
  ioVersion?: number;
  ioCopy?: string;
  ioCopyVersion?: number;
}

/**
 * Which attributes of a run item and of its values item its details are made
 * of (toRun, runDetailsFromItems and the spill checks of a search page). A
 * record over every field, so a field added to either item does not compile
 * until it says whether readers need it.
 */
const runFieldsRead: Record<keyof RunItem, boolean> = {
  runId: true,
  experimentId: true,
  runName: true,
  status: true,
  startTime: true,
  endTime: true,
  tags: true,
  parentRunId: true,
  gitCommit: true,
  codeVersion: true,
  pipeline: true,
  lifecycleStage: true,
  deletedAt: false,
  tagVersion: false,
  tagCount: false,
  tagPages: true,
  hasIo: true,
  ioVersion: true,
  ioCopy: true,
  ioCopyVersion: true,
};
const valuesFieldsRead: Record<keyof ValuesLayout | 'params' | 'metrics', boolean> = {
  params: true,
  metrics: true,
  metricKeys: false,
  metricPages: true,
  paramsOverflow: true,
  runNumber: false,
};

/**
 * A projection of the run and values items down to what their details are
 * made of. Left out: index keys, write bookkeeping, and on the values item
 * the param digests and metric slot keys its GSIs hold (about a quarter of
 * it, for the 20 params and 10 metrics of a typical run); a search page of a
 * thousand runs read them all and passed them through both JSON codecs.
 */
export const runDetailsProjection = (() => {
  const fields = [
    'pk',
    'type',
    ...[runFieldsRead, valuesFieldsRead].flatMap((read) =>
      Object.entries(read).flatMap(([field, needed]) => (needed ? [field] : [])),
    ),
  ];
  return {
    ProjectionExpression: fields.map((_, index) => `#d${index}`).join(', '),
    ExpressionAttributeNames: Object.fromEntries(fields.map((field, index) => [`#d${index}`, field])),
  };
})();

export const fromStoredLatest = (key: string, stored: StoredMetricEntry): LatestMetric => ({
  key,
  value: storedValueNumber(stored.v),
  step: stored.s,
  timestamp: stored.t,
  lowestStep: stored.l,
});

/** A stored pipeline: its config from JSON text, or from the map of runs written before. */
const pipelineOf = (stored: StoredPipeline): Pipeline => ({
  config: stored.configJson === undefined ? stored.config : (JSON.parse(stored.configJson) as Record<string, unknown>),
  components: stored.components,
});

export const toRun = (item: RunItem, tags: Tags = item.tags ?? {}): Run => ({
  runId: item.runId,
  experimentId: item.experimentId,
  runName: item.runName,
  status: item.status,
  startTime: item.startTime,
  endTime: item.endTime,
  tags: { ...tags },
  parentRunId: item.parentRunId,
  gitCommit: item.gitCommit,
  codeVersion: item.codeVersion,
  pipeline: item.pipeline && pipelineOf(item.pipeline),
  lifecycleStage: item.lifecycleStage ?? 'active',
  ...(item.hasIo === true && { hasIo: true }),
  ...keptIoOf(item),
});

const keptIoOf = (item: RunItem): Pick<Run, 'keptIo'> => {
  const keptIo = currentRunIoCopy(item);
  return keptIo ? { keptIo } : {};
};

/**
 * Runs from their run items, with the tags that spilled onto tag pages read
 * back. A function of its own so that readers (search) need not carry the
 * RunRepository class in their bundles.
 */
export async function withPagedTags(
  client: DynamoDBDocumentClient,
  tableName: string,
  workspace: string,
  items: readonly RunItem[],
  consistent = false,
): Promise<Run[]> {
  const keys = items.flatMap((item) =>
    range(1, item.tagPages ?? 0).map((page) => tagPageKey(workspace, item.runId, page)),
  );
  // Tag pages are rare: single GetItems, which every route may use.
  const pages = (
    await Promise.all(
      keys.map(async (Key) => {
        const { Item } = await client.send(new GetCommand({ TableName: tableName, Key, ConsistentRead: consistent }));
        return Item;
      }),
    )
  ).filter((item): item is Record<string, unknown> => item !== undefined);
  return items.map((item) => {
    const tags = recordOf(Object.entries(item.tags ?? {}));
    const prefix = runPartitionKey(workspace, item.runId);
    for (const page of pages) {
      if (page.pk === prefix) Object.assign(tags, recordOf(safeEntries<string>(page.tags)));
    }
    return toRun(item, tags);
  });
}

/** A run's details from the items of its partition (run, values, pages, param items); undefined without a run item. */
export function runDetailsFromItems(items: readonly Record<string, unknown>[]): RunDetails | undefined {
  const head = items.find((item) => item.type === entityTypes.run) as RunItem | undefined;
  if (!head) return undefined;
  const tags = recordOf(Object.entries(head.tags ?? {}));
  const params = recordOf<string>([]);
  const latest = new Map<string, StoredMetricEntry>();
  for (const item of items) {
    if (item.type === entityTypes.tagPage) Object.assign(tags, recordOf(safeEntries<string>(item.tags)));
    else if (item.type === entityTypes.param) params[item.key as string] = item.value as string;
    else if (item.type === entityTypes.runValues || item.type === entityTypes.metricPage) {
      if (item.type === entityTypes.runValues) Object.assign(params, recordOf(safeEntries<string>(item.params)));
      for (const [key, entry] of safeEntries<StoredMetricEntry>(item.metrics)) latest.set(key, entry);
    }
  }
  const metrics = [...latest]
    .map(([key, stored]) => fromStoredLatest(key, stored))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return { ...toRun(head, tags), params, metrics };
}

/** A user-keyed map read from an item, as entries (never looked up as plain-object properties). */
export function safeEntries<V>(map: unknown): Array<[string, V]> {
  if (typeof map !== 'object' || map === null) return [];
  return Object.entries(map as Record<string, V>);
}

/** A record with no prototype, so that any key (`__proto__` included) is just a key. */
export function recordOf<V>(entries: Iterable<readonly [string, V]> | ReadonlyMap<string, V>): Record<string, V> {
  const record: Record<string, V> = Object.create(null);
  for (const [key, value] of entries) record[key] = value;
  return record;
}

export const range = (from: number, to: number) =>
  Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);
