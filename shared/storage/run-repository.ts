import {
  BatchGetCommand,
  BatchWriteCommand,
  GetCommand,
  PutCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { encodeSortableNumber } from '../domain/search/sortable-number.ts';
import type { LifecycleStage, Page, Run, RunStatus, Tags, TerminalRunStatus, ViewType } from '../domain/types.ts';
import {
  ConflictError,
  NotFoundError,
  type ParamChange,
  ParamChangeError,
  ServiceUnavailableError,
} from '../errors.ts';
import { limits } from '../limits.ts';
import {
  encodeRecentSeals,
  floorDiv,
  type RecentSeals,
  ROLLUP_BLOCK_STEPS,
  sealableFrontier,
} from '../domain/rollup.ts';
import { conditionFailedItem } from './dynamo-errors.ts';
import {
  entityTypes,
  experimentKey,
  indexedValuePrefix,
  metricPageKey,
  metricSlotSortKey,
  type PrimaryKey,
  paramKey,
  runKey,
  runPartitionKey,
  runsByExperimentPartition,
  runValuesKey,
  tagPageKey,
} from './keys.ts';
import { addToParamBucket, addToParamRow } from './param-row-write.ts';
import { queryAllItems, queryPage } from './query-page.ts';
import { itemSize } from './item-size.ts';
import { entriesOf, entryBytes, layoutBudgets, metricEntryBound, type PagedMap, placeEntries } from './run-layout.ts';
import {
  childRunItem,
  metricPageItem,
  metricSlotAttributes,
  PARAM_ROW_DIGESTS,
  fitsParamBucket,
  paramRowItem,
  paramItem,
  runItem,
  runValuesItem,
  type StoredMetricEntry,
  type TagLayout,
  tagIndexItem,
  tagPageItem,
} from './run-items.ts';
import { indexPosition, logicalIndexes, metricSlotIndex } from './table-definition.ts';
import { storedValueNumber } from './stored-value.ts';
import { sendTransaction } from './transactions.ts';
import { range, recordOf, RunReader, type RunItem, safeEntries, toRun, withPagedTags } from './run-reader.ts';

export type { StoredMetricEntry } from './run-items.ts';

export interface ListRunsQuery {
  limit: number;
  pageToken: string | undefined;
  status: RunStatus | undefined;
  /** ACTIVE_ONLY when absent. */
  view?: ViewType | undefined;
}

/** What a write needs to know about a run: everything that lives in its partition, with where each entry is. */
export interface RunState {
  run: Run;
  tags: PagedMap<string>;
  tagLayout: TagLayout;
  /** Params on the values item (with `paramsOverflow`, later ones are items of their own). */
  params: Map<string, string>;
  paramsOverflow: boolean;
  /** Its number in the experiment: its param digests are on that bucket row (absent: on a row of its own). */
  runNumber?: number;
  metrics: PagedMap<StoredMetricEntry>;
  metricKeys: number;
}

/** A change to a run's params, tags and metric keys, applied whole by `commit`. */
export interface RunChange {
  /** Params the run does not have yet. */
  params?: ReadonlyMap<string, string>;
  /** Tags to set (new or changed). */
  tags?: ReadonlyMap<string, string>;
  removeTags?: ReadonlySet<string>;
  /** Metric keys the run does not have yet, with their first entry (and its metric slot, `x`). */
  newMetrics?: ReadonlyMap<string, StoredMetricEntry>;
  /** The param digests the new keys' slot entries carry (run-items.ts entryParamDigests). */
  entryParams?: Uint8Array | undefined;
}

/** The tags a change sets to a value the run does not hold. */
function changedTags(state: RunState, change: RunChange): Map<string, string> {
  return new Map([...(change.tags ?? [])].filter(([key, value]) => state.tags.entries.get(key)?.value !== value));
}

/** A change applied (with the metric pages its new keys went to), or 'stale': read again and retry. */
export type CommitOutcome = 'stale' | { pages: Map<string, number> };

/** What one batch brings to one key, for `recordBatch`. */
export interface BatchOfKey {
  /** Its newest point (the latest value if newer than the stored one). */
  newest: { value: string; step: number; timestamp: number };
  /** Its lowest step. */
  lowest: number;
  /**
   * The level-1 blocks its points fall in. Those below the frontier as the
   * record lands are late: the record marks them dirty.
   */
  blocks: readonly number[];
}

/** One key's entry before and after a batch was recorded on it. */
export interface RecordedBatch {
  before: StoredMetricEntry;
  after: StoredMetricEntry;
  page: number;
}

/** The blocks wholly below a (block-aligned) frontier. */
const lateBlocks = (blocks: readonly number[], frontier: number) =>
  [...new Set(blocks)].filter((block) => (block + 1) * ROLLUP_BLOCK_STEPS <= frontier);

/** Tries of an optimistic write (read, check, conditional write) before the client is told to come back. */
const MAX_ATTEMPTS = 12;
const BATCH_WRITE_SIZE = 25;
/** Late blocks a key may wait with for its next seal; past that its frontier moves below them. */
export const MAX_DIRTY_BLOCKS = 64;
/** Late blocks one batch may mark (each already marked is a condition of its write); past that, the same. */
const MAX_LATE_BLOCKS_MARKED = 8;
const BATCH_GET_SIZE = 100;

/**
 * DynamoDB refuses an expression over 4 KB or with more than 300 operators and
 * functions; an update of many metric keys is cut to stay well within both,
 * with room for the conditions a retry may add.
 */
const EXPRESSION_BUDGET = { characters: 3_000, operators: 200 };
const expressionOperators = /<=|>=|<>|[<>=+-]|\b(?:AND|OR|NOT|BETWEEN|IN)\b|\b[a-z_]+\(/g;

function fitsExpressionLimits(update: UpdateBuilder): boolean {
  const { UpdateExpression, ConditionExpression } = update.build('', {} as PrimaryKey);
  return [UpdateExpression, ConditionExpression ?? ''].every(
    (expression) =>
      expression.length <= EXPRESSION_BUDGET.characters &&
      (expression.match(expressionOperators)?.length ?? 0) <= EXPRESSION_BUDGET.operators,
  );
}

/**
 * Runs and everything in their partition (docs/data-model.md): the run item
 * (fields and tags), the values item (params and the latest value of every
 * metric key), overflow pages and param items; and the search index entries of
 * params and tags, kept in step with them.
 *
 * Writes are all-or-nothing: a request's changes to the run item and the
 * values item go in one conditional write (a transaction when both, or a page,
 * change). Limits (tags and metric keys per run) and immutable params are
 * conditions of that write, so concurrent requests cannot get past them.
 * Index entries are written before it and the ones it replaced are removed
 * after it: an entry may briefly point at a value a run no longer has (search
 * re-checks every match), but never lacks one.
 */
export class RunRepository extends RunReader {
  /**
   * Writes a new run with its first params, tags and metric entries: two
   * writes. First one BatchWriteItem with the values item, index entries, the
   * param row, overflow pages, param items and `alsoFirst` (the caller's metric
   * chunks and metric index entries); then the run item, so the run exists,
   * all of it, or not at all. The values item needs no condition: the run id
   * is new (the run item's write keeps its condition all the same).
   */
  async create(
    workspace: string,
    run: Run,
    initial: {
      params?: ReadonlyMap<string, string>;
      metrics?: ReadonlyMap<string, StoredMetricEntry>;
      alsoFirst?: readonly Record<string, unknown>[];
      /** The run's number in its experiment: its params go to that bucket row (else to a row of their own). */
      runNumber?: number;
      /** The param digests the metric entries carry (run-items.ts entryParamDigests). */
      entryParams?: Uint8Array | undefined;
    } = {},
  ): Promise<{ pages: Map<string, number> }> {
    const tags = placeEntries({ entries: new Map(), pages: 0 }, new Map(Object.entries(run.tags)), entryBytes, {
      base: layoutBudgets.inlineTags,
      page: layoutBudgets.tagPage,
    }).map;
    const metrics = placeEntries({ entries: new Map(), pages: 0 }, initial.metrics ?? new Map(), metricEntryBound, {
      base: layoutBudgets.inlineMetrics,
      page: layoutBudgets.metricPage,
    }).map;
    const params = new Map(initial.params ?? []);
    const runNumber = initial.runNumber ?? 0;
    const bucketed = runNumber > 0 && fitsParamBucket(run.runId);
    let inlineParams = params;
    let overflowParams = new Map<string, string>();
    if (sizeOfParams(params) > layoutBudgets.inlineParams) {
      inlineParams = new Map();
      overflowParams = params;
    }
    const slotted = (page: number) =>
      slotAttributesOf(workspace, run.experimentId, metrics, page, page === 0 ? initial.entryParams : undefined);
    const before: object[] = [
      {
        ...runValuesItem(workspace, run.runId, recordOf(inlineParams), entriesOf(metrics, 0), {
          metricKeys: metrics.entries.size,
          metricPages: metrics.pages,
          ...(overflowParams.size > 0 ? { paramsOverflow: true } : {}),
          ...(bucketed ? { runNumber } : {}),
        }),
        ...slotted(0),
      },
      ...(initial.alsoFirst ?? []),
      ...(params.size > 0 && !bucketed ? [paramRowItem(workspace, run.experimentId, run.runId, params)] : []),
      ...Object.entries(run.tags).map(([key, value]) =>
        tagIndexItem(workspace, run.experimentId, run.runId, key, value),
      ),
      ...childRunItem(workspace, run),
      ...[...overflowParams].map(([key, value]) => paramItem(workspace, run.runId, key, value)),
      ...range(1, metrics.pages).map((page) => ({
        ...metricPageItem(workspace, run.runId, page, entriesOf(metrics, page)),
        ...slotted(page),
      })),
      ...range(1, tags.pages).map((page) => tagPageItem(workspace, run.runId, page, entriesOf(tags, page))),
    ];
    // A bucket row is shared: the run's digests are an attribute of its own, set by an UpdateItem beside the batch.
    await Promise.all([
      this.batchWrite(before.map((Item) => ({ PutRequest: { Item } }))),
      bucketed &&
        params.size > 0 &&
        addToParamBucket(
          this.client,
          this.tableName,
          { workspace, experimentId: run.experimentId, runId: run.runId, runNumber },
          params.size <= PARAM_ROW_DIGESTS ? params : undefined,
          true,
        ),
    ]);
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: runItem(workspace, run, entriesOf(tags, 0), {
          tagVersion: 0,
          tagCount: tags.entries.size,
          tagPages: tags.pages,
        }),
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    return { pages: new Map([...metrics.entries].map(([key, { page }]) => [key, page])) };
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
        // A byte of an item takes up to 4 in the function's response payload (a `"` is escaped in the
        // answer's JSON, then again). A run's tags past its item's room are on tag pages, read after: the
        // answer carries 1 MiB of them at most (shared/http/run-entry-pages.ts).
        answerBytes: (item) => 4 * itemSize(item) + (((item.tagPages as number | undefined) ?? 1) > 1 ? 1_048_576 : 0),
      },
    );
    return { items: await this.withPagedTags(workspace, page.items as unknown as RunItem[]), cursor: page.cursor };
  }

  /** Runs from their run items, with the tags that live on tag pages added. */
  async withPagedTags(workspace: string, items: readonly RunItem[], consistent = false): Promise<Run[]> {
    return withPagedTags(this.client, this.tableName, workspace, items, consistent);
  }

  /**
   * Ends a RUNNING run. Ending it again with the same status returns it as it is
   * (a retried request); a different terminal status is a ConflictError. A run
   * deleted on its own is not ended (run.deleted, as MLflow's server refuses
   * it): its stage is a condition of this write, so that costs no read.
   */
  async end(workspace: string, runId: string, status: TerminalRunStatus, endTime: number): Promise<Run> {
    try {
      const { Attributes } = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: runKey(workspace, runId),
          UpdateExpression: 'SET #status = :status, endTime = :endTime',
          ConditionExpression: '#status = :running AND (attribute_not_exists(#stage) OR #stage <> :deleted)',
          ExpressionAttributeNames: { '#status': 'status', '#stage': 'lifecycleStage' },
          ExpressionAttributeValues: {
            ':status': status,
            ':endTime': endTime,
            ':running': 'RUNNING',
            ':deleted': 'deleted',
          },
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return (await this.withPagedTags(workspace, [Attributes as RunItem], true))[0] as Run;
    } catch (error) {
      const item = conditionFailedItem(error);
      if (item === false) throw error;
      if (!item) throw new NotFoundError('run', runId);
      if (item.lifecycleStage === 'deleted') {
        throw new ConflictError('run.deleted', `run '${runId}' is deleted; restore it first`, { id: runId });
      }
      const existing = (await this.withPagedTags(workspace, [item as unknown as RunItem], true))[0] as Run;
      if (existing.status === status) return existing;
      throw new ConflictError('run.already_ended', `run '${runId}' already ended as ${existing.status}`);
    }
  }

  /**
   * Updates attributes of an existing run item (lifecycle stage, name, status,
   * end time, parent) in one conditional write; a missing run is a NotFoundError. A new
   * name also moves the run in its experiment's name order (gsi2).
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
      parentRunId?: string | null;
    },
  ): Promise<Run> {
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    const sets: string[] = [];
    const removes: string[] = [];
    const attributes: Record<string, unknown> = { ...changes };
    if (changes.runName !== undefined) attributes.gsi2sk = indexedValuePrefix(changes.runName) + runId;
    for (const [attribute, value] of Object.entries(attributes)) {
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
      return (await this.withPagedTags(workspace, [Attributes as RunItem], true))[0] as Run;
    } catch (error) {
      if (conditionFailedItem(error) === false) throw error;
      throw new NotFoundError('run', runId);
    }
  }

  /**
   * Gives a run a parent, another one, or none (MLflow's `mlflow.parentRunId` tag set or deleted
   * after the run began). The new child index item first, then the run item, then the old item
   * out: a failure between leaves at most an item naming a parent the run no longer has, which
   * a search by that parent reads and drops (every candidate is checked against the run item).
   */
  async setParent(workspace: string, run: Run, parentRunId: string | undefined): Promise<Run> {
    const added = childRunItem(workspace, { ...run, parentRunId });
    if (added.length > 0) await this.batchWrite(added.map((Item) => ({ PutRequest: { Item } })));
    const updated = await this.updateAttributes(workspace, run.runId, { parentRunId: parentRunId ?? null });
    const removed = childRunItem(workspace, run);
    if (removed.length > 0) await this.batchWrite(removed.map((Key) => ({ DeleteRequest: { Key } })));
    return updated;
  }

  /**
   * Deletes or restores a run and counts it in its experiment's deleted runs, in one
   * transaction: the run's write is conditional on its stage changing, so a retried or racing
   * delete (or restore) counts once, and the count never moves without the stage. Answers the
   * run in its new stage; a run already in it is answered as it is, counted no second time.
   * `run` is the caller's read of it (a transaction returns no item).
   */
  async setStage(workspace: string, run: Run, stage: LifecycleStage, at: number): Promise<Run> {
    const deleting = stage === 'deleted';
    const reasons = await sendTransaction(
      this.client,
      new TransactWriteCommand({
        TransactItems: [
          {
            Update: {
              TableName: this.tableName,
              Key: runKey(workspace, run.runId),
              UpdateExpression: deleting
                ? 'SET #stage = :stage, deletedAt = :at'
                : 'SET #stage = :stage REMOVE deletedAt',
              // Runs written before soft deletion existed have no stage: they are active.
              ConditionExpression: deleting
                ? 'attribute_exists(pk) AND (attribute_not_exists(#stage) OR #stage <> :stage)'
                : 'attribute_exists(pk) AND #stage <> :stage',
              ExpressionAttributeNames: { '#stage': 'lifecycleStage' },
              ExpressionAttributeValues: deleting ? { ':stage': stage, ':at': at } : { ':stage': stage },
              ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
            },
          },
          {
            Update: {
              TableName: this.tableName,
              Key: experimentKey(workspace, run.experimentId),
              UpdateExpression: 'ADD deletedRuns :change',
              ConditionExpression: 'attribute_exists(pk)',
              ExpressionAttributeValues: { ':change': deleting ? 1 : -1 },
            },
          },
        ],
      }),
    );
    if (!reasons) return { ...run, lifecycleStage: stage };
    const [runReason, experimentReason] = reasons;
    if (runReason?.Code === 'ConditionalCheckFailed') {
      if (!runReason.Item) throw new NotFoundError('run', run.runId);
      return { ...run, lifecycleStage: stage };
    }
    // No experiment item (its purge is removing its runs): nothing left to count in.
    if (experimentReason?.Code === 'ConditionalCheckFailed') {
      return this.updateAttributes(workspace, run.runId, { lifecycleStage: stage, deletedAt: deleting ? at : null });
    }
    throw new Error(`unexpected cancellation of a run stage change: ${JSON.stringify(reasons)}`);
  }

  /**
   * Everything a write checks against: the run item and the values item (one
   * consistent BatchGetItem), plus the tag and metric pages when asked for and
   * present. Params kept as items of their own are not read (see `paramItems`).
   */
  async readState(
    workspace: string,
    runId: string,
    include: { tagPages?: boolean; metricPages?: boolean } = {},
  ): Promise<RunState | undefined> {
    const first = await this.batchGet([runKey(workspace, runId), runValuesKey(workspace, runId)], true);
    const head = first.find((item) => item.type === entityTypes.run) as RunItem | undefined;
    const values = first.find((item) => item.type === entityTypes.runValues);
    if (!head) return undefined;
    const tagPages = head.tagPages ?? 0;
    const metricPages = (values?.metricPages as number | undefined) ?? 0;
    const pageKeys = [
      ...(include.tagPages ? range(1, tagPages).map((page) => tagPageKey(workspace, runId, page)) : []),
      ...(include.metricPages ? range(1, metricPages).map((page) => metricPageKey(workspace, runId, page)) : []),
    ];
    const pages = pageKeys.length ? await this.batchGet(pageKeys, true) : [];
    const tags: PagedMap<string> = { entries: new Map(), pages: tagPages };
    for (const [key, value] of safeEntries<string>(head.tags)) tags.entries.set(key, { value, page: 0 });
    const metrics: PagedMap<StoredMetricEntry> = { entries: new Map(), pages: metricPages };
    for (const [key, entry] of safeEntries<StoredMetricEntry>(values?.metrics)) {
      metrics.entries.set(key, { value: entry, page: 0 });
    }
    for (const page of pages) {
      const number = pageNumber(page.sk as string);
      if (page.type === entityTypes.tagPage) {
        for (const [key, value] of safeEntries<string>(page.tags)) tags.entries.set(key, { value, page: number });
      } else {
        for (const [key, entry] of safeEntries<StoredMetricEntry>(page.metrics)) {
          metrics.entries.set(key, { value: entry, page: number });
        }
      }
    }
    const allTags = recordOf([...tags.entries].map(([key, { value }]) => [key, value] as const));
    return {
      run: toRun(head, allTags),
      tags,
      tagLayout: {
        tagVersion: head.tagVersion ?? 0,
        tagCount: head.tagCount ?? tags.entries.size,
        tagPages,
      },
      params: new Map(safeEntries<string>(values?.params)),
      paramsOverflow: values?.paramsOverflow === true,
      ...(typeof values?.runNumber === 'number' ? { runNumber: values.runNumber } : {}),
      metrics,
      metricKeys: (values?.metricKeys as number | undefined) ?? metrics.entries.size,
    };
  }

  /**
   * One metric key's entry, for history reads: the values item alone (and its
   * metric pages when the key is on one), read consistently so that a run just
   * created is found. Undefined when the run has no values item (no such run);
   * `entry` undefined when the run has no such key.
   */
  async metricEntry(
    workspace: string,
    runId: string,
    key: string,
  ): Promise<{ entry: StoredMetricEntry | undefined } | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: runValuesKey(workspace, runId), ConsistentRead: true }),
    );
    if (!Item) return undefined;
    const inline = new Map(safeEntries<StoredMetricEntry>(Item.metrics)).get(key);
    if (inline) return { entry: inline };
    const pages = (Item.metricPages as number | undefined) ?? 0;
    if (pages === 0) return { entry: undefined };
    for (const page of await this.batchGet(
      range(1, pages).map((number) => metricPageKey(workspace, runId, number)),
      true,
    )) {
      const entry = new Map(safeEntries<StoredMetricEntry>(page.metrics)).get(key);
      if (entry) return { entry };
    }
    return { entry: undefined };
  }

  /** Params kept as items of their own (after the values item filled up), for the given keys. */
  async paramItems(workspace: string, runId: string, keys: Iterable<string>): Promise<Map<string, string>> {
    const items = await this.batchGet(
      [...keys].map((key) => paramKey(workspace, runId, key)),
      true,
    );
    return new Map(items.map((item) => [item.key as string, item.value as string]));
  }

  /** Every param of a run kept as an item of its own. */
  async getParams(workspace: string, runId: string): Promise<Record<string, string>> {
    const params = recordOf<string>([]);
    const items = queryAllItems(this.client, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :params)',
      ExpressionAttributeValues: { ':pk': runPartitionKey(workspace, runId), ':params': 'PARAM#' },
    });
    for await (const item of items) params[item.key as string] = item.value as string;
    return params;
  }

  /**
   * What must land before `commit`'s write, for the same change: the index
   * entries of the new tag values and the run's params on its param row, so
   * that search never misses a run (it may see a value that lost). Separate
   * from `commit` so that the caller sends them beside its metric chunks and
   * index entries, which have the same place in the order: one round trip
   * before the commit instead of two. 'stale' when the run's params must move
   * to items of their own first (the caller reads again and retries).
   */
  async indexAhead(workspace: string, runId: string, state: RunState, change: RunChange): Promise<'stale' | undefined> {
    const experimentId = state.run.experimentId;
    const newParams = change.params ?? new Map<string, string>();
    const inlineParams = this.paramsStayInline(state, newParams);
    if (newParams.size > 0 && !state.paramsOverflow && !inlineParams) {
      // From now on every new param is an item of its own; the next read sees it.
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: runValuesKey(workspace, runId),
          UpdateExpression: 'SET paramsOverflow = :true',
          ExpressionAttributeValues: { ':true': true },
        }),
      );
      return 'stale';
    }

    if (newParams.size > 0 && state.metricKeys > 0) {
      // The run's metric index entries carry the params it had (entryParamDigests): not these. Before they
      // land, the experiment stops answering param clauses from its entries (docs/search.md).
      await this.experimentEntriesLackParams(workspace, experimentId);
    }

    const rowParams = inlineParams && state.params.size + newParams.size <= PARAM_ROW_DIGESTS ? newParams : undefined;
    const firstParams = state.params.size === 0 && !state.paramsOverflow;
    await Promise.all([
      this.batchWrite(
        [...changedTags(state, change)].map(([key, value]) => ({
          PutRequest: { Item: tagIndexItem(workspace, experimentId, runId, key, value) },
        })),
      ),
      newParams.size > 0 &&
        (state.runNumber === undefined
          ? addToParamRow(this.client, this.tableName, { workspace, experimentId, runId }, rowParams, firstParams)
          : addToParamBucket(
              this.client,
              this.tableName,
              { workspace, experimentId, runId, runNumber: state.runNumber },
              rowParams,
              firstParams,
            )),
    ]);
    return undefined;
  }

  /**
   * Applies a change computed from `state`, whole or not at all: 'stale' when
   * the run changed since `state` was read (the caller reads again, checks
   * again and retries). Limits are the caller's to check on `state`; the
   * conditions here make sure they still hold when the write lands.
   */
  async commit(workspace: string, runId: string, state: RunState, change: RunChange): Promise<CommitOutcome> {
    if ((await this.indexAhead(workspace, runId, state, change)) === 'stale') return 'stale';
    return this.commitIndexed(workspace, runId, state, change);
  }

  /** `commit` once `indexAhead` has landed for the same change and state. */
  async commitIndexed(workspace: string, runId: string, state: RunState, change: RunChange): Promise<CommitOutcome> {
    const experimentId = state.run.experimentId;
    const newParams = change.params ?? new Map<string, string>();
    const inlineParams = this.paramsStayInline(state, newParams);
    const tagChanges = changedTags(state, change);

    if (newParams.size > 0 && !inlineParams) {
      // Params as items of their own: each put only if absent (the caller checked they were).
      const reasons = await sendTransaction(
        this.client,
        new TransactWriteCommand({
          TransactItems: [...newParams].map(([key, value]) => ({
            Put: {
              TableName: this.tableName,
              Item: paramItem(workspace, runId, key, value),
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          })),
        }),
      );
      if (reasons) return 'stale';
    }

    // New metric keys on items that exist are capped so that each update's expression stays within
    // DynamoDB's limits (halved until it does); the rest go on new pages, which are written whole.
    let cap = change.newMetrics?.size ?? 0;
    let written = this.valuesAndPages(workspace, runId, state, change, inlineParams, cap);
    while (cap > 0 && !written.updates.every(fitsExpressionLimits)) {
      cap = Math.floor(cap / 2);
      written = this.valuesAndPages(workspace, runId, state, change, inlineParams, cap);
    }
    const { actions, pages } = written;

    if (tagChanges.size > 0 || (change.removeTags && change.removeTags.size > 0)) {
      actions.push(...this.tagActions(workspace, runId, state, tagChanges, change.removeTags ?? new Set()));
    }
    if (actions.length > 0 && !(await this.send(actions))) return 'stale';

    // The index entries of replaced and removed tag values.
    const replaced = [...state.tags.entries]
      .filter(
        ([key, { value }]) => (tagChanges.has(key) && tagChanges.get(key) !== value) || change.removeTags?.has(key),
      )
      .map(([key, { value }]) => tagIndexItem(workspace, experimentId, runId, key, value));
    await this.batchWrite(replaced.map((Key) => ({ DeleteRequest: { Key } })));
    return { pages };
  }

  /** Whether the run's params, with these new ones, still fit on its values item. */
  private paramsStayInline(state: RunState, newParams: ReadonlyMap<string, string>): boolean {
    return (
      newParams.size > 0 &&
      !state.paramsOverflow &&
      sizeOfParams(new Map([...state.params, ...newParams])) <= layoutBudgets.inlineParams
    );
  }

  /**
   * Marks the experiment as holding metric index entries that lack some of
   * their run's params: search then reads its param rows for param clauses
   * (docs/search.md, "Params on metric entries"). Once only: the mark is the
   * attribute's absence.
   */
  private async experimentEntriesLackParams(workspace: string, experimentId: string) {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: experimentKey(workspace, experimentId),
          UpdateExpression: 'REMOVE entryParams',
          ConditionExpression: 'attribute_exists(entryParams)',
        }),
      );
    } catch (error) {
      if (conditionFailedItem(error) === false) throw error;
    }
  }

  /**
   * The values item's update (new inline params, new metric keys) and the
   * metric pages new keys go to, with at most `cap` new keys on each item that
   * exists. A new key needs no condition of its own: the update is conditional
   * on the run's count of metric keys, which every writer of a new key moves.
   */
  private valuesAndPages(
    workspace: string,
    runId: string,
    state: RunState,
    change: RunChange,
    inlineParams: boolean,
    cap: number,
  ): { actions: TransactAction[]; pages: Map<string, number>; updates: UpdateBuilder[] } {
    const actions: TransactAction[] = [];
    const pages = new Map<string, number>();
    const values = new UpdateBuilder();
    const updates = [values];
    const addsMetricKeys = (change.newMetrics?.size ?? 0) > 0;
    if (inlineParams) {
      values.condition('attribute_not_exists(paramsOverflow)');
      for (const [key, value] of change.params ?? []) {
        const path = values.path('params', key);
        values.set(path, value);
        values.condition(`attribute_not_exists(${path})`);
      }
      // Params of a run without metric entries need not be on any (see commit); a key registered since is.
      if (state.metricKeys === 0 && !addsMetricKeys) {
        values.condition(`(attribute_not_exists(metricKeys) OR metricKeys = ${values.value(0)})`);
      }
    }
    if (addsMetricKeys && state.metricKeys === 0 && !state.paramsOverflow) {
      // The first keys' index entries carry the params as read (entryParamDigests): only if no param came since.
      const params = values.attribute('params');
      values.condition('attribute_not_exists(paramsOverflow)');
      values.condition(
        state.params.size === 0
          ? `(attribute_not_exists(${params}) OR size(${params}) = ${values.value(0)})`
          : `size(${params}) = ${values.value(state.params.size)}`,
      );
    }
    if (change.newMetrics && change.newMetrics.size > 0) {
      const placed = placeEntries(
        state.metrics,
        change.newMetrics,
        metricEntryBound,
        { base: layoutBudgets.inlineMetrics, page: layoutBudgets.metricPage },
        cap,
      );
      const keysAfter = state.metricKeys + change.newMetrics.size;
      values.set('metricKeys', keysAfter);
      values.set('metricPages', placed.map.pages);
      values.condition(
        state.metricKeys === 0
          ? `(attribute_not_exists(metricKeys) OR metricKeys = ${values.value(0)})`
          : `metricKeys = ${values.value(state.metricKeys)}`,
      );
      // A new key with a metric slot is indexed by attributes of the item its entry goes to (slotAttributesOf).
      const experimentId = state.run.experimentId;
      const newOnly: PagedMap<StoredMetricEntry> = {
        entries: new Map([...placed.map.entries].filter(([key]) => change.newMetrics?.has(key))),
        pages: placed.map.pages,
      };
      const setSlots = (update: UpdateBuilder, page: number) => {
        const attributes = slotAttributesOf(workspace, experimentId, newOnly, page, undefined);
        for (const [name, value] of Object.entries(attributes)) update.set(name, value);
        // Slot entries carry the run's params as the first of them found them (a later param marks the
        // experiment instead: see commit): set once, so that later keys never rewrite every slot's entry.
        if (page === 0 && change.entryParams && Object.keys(attributes).length > 0) {
          update.set('p', { expression: `if_not_exists(p, ${update.value(change.entryParams)})` });
        }
      };
      for (const [key, entry] of change.newMetrics) {
        const { page } = placed.map.entries.get(key) as { page: number };
        pages.set(key, page);
        if (page === 0) values.set(values.path('metrics', key), entry);
      }
      setSlots(values, 0);
      for (const page of placed.touched) {
        if (page === 0) continue;
        if (page > state.metrics.pages) {
          actions.push({
            Put: {
              TableName: this.tableName,
              Item: {
                ...metricPageItem(workspace, runId, page, entriesOf(placed.map, page)),
                ...slotAttributesOf(workspace, experimentId, placed.map, page, undefined),
              },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          });
          continue;
        }
        const pageUpdate = new UpdateBuilder();
        for (const [key, entry] of change.newMetrics) {
          if (placed.map.entries.get(key)?.page === page) pageUpdate.set(pageUpdate.path('metrics', key), entry);
        }
        setSlots(pageUpdate, page);
        updates.push(pageUpdate);
        actions.push({ Update: pageUpdate.build(this.tableName, metricPageKey(workspace, runId, page)) });
      }
    }
    if (!values.isEmpty()) actions.push({ Update: values.build(this.tableName, runValuesKey(workspace, runId)) });
    return { actions, pages, updates };
  }

  /** The writes that set and remove tags: the run item (conditional on its tag version) and the tag pages. */
  private tagActions(
    workspace: string,
    runId: string,
    state: RunState,
    changes: ReadonlyMap<string, string>,
    removals: ReadonlySet<string>,
  ): TransactAction[] {
    const remaining: PagedMap<string> = {
      entries: new Map([...state.tags.entries].filter(([key]) => !removals.has(key))),
      pages: state.tags.pages,
    };
    const placed = placeEntries(remaining, changes, entryBytes, {
      base: layoutBudgets.inlineTags,
      page: layoutBudgets.tagPage,
    });
    const head = new UpdateBuilder();
    const touched = new Set(placed.touched);
    for (const key of removals) {
      const page = state.tags.entries.get(key)?.page;
      if (page !== undefined) touched.add(page);
    }
    for (const [key, { page }] of state.tags.entries) {
      const now = placed.map.entries.get(key);
      if (page === 0 && now?.page !== 0) head.remove(head.path('tags', key));
    }
    for (const [key, value] of changes) {
      if (placed.map.entries.get(key)?.page === 0) head.set(head.path('tags', key), value);
    }
    const { tagVersion } = state.tagLayout;
    head.set('tagVersion', tagVersion + 1);
    head.set('tagCount', placed.map.entries.size);
    head.set('tagPages', placed.map.pages);
    head.condition(
      tagVersion === 0
        ? `(attribute_not_exists(tagVersion) OR tagVersion = ${head.value(0)})`
        : `tagVersion = ${head.value(tagVersion)}`,
    );
    const actions: TransactAction[] = [{ Update: head.build(this.tableName, runKey(workspace, runId)) }];
    for (const page of touched) {
      if (page === 0) continue;
      actions.push({
        Put: { TableName: this.tableName, Item: tagPageItem(workspace, runId, page, entriesOf(placed.map, page)) },
      });
    }
    return actions;
  }

  /**
   * Sets (or overwrites) tags; tags stay editable after a run ends. A run holds
   * at most 200 tags; a request that would pass that changes nothing.
   */
  async setTags(workspace: string, runId: string, tags: Tags): Promise<Run> {
    return this.retry(async () => {
      const state = await this.readState(workspace, runId, { tagPages: true });
      if (!state) throw new NotFoundError('run', runId);
      checkTagRoom(state, Object.keys(tags));
      const outcome = await this.commit(workspace, runId, state, { tags: new Map(Object.entries(tags)) });
      if (outcome === 'stale') return undefined;
      return { ...state.run, tags: { ...state.run.tags, ...recordOf(Object.entries(tags)) } };
    });
  }

  /** Removes one tag; a tag that is not there is a NotFoundError naming it. */
  async deleteTag(workspace: string, runId: string, key: string): Promise<Run> {
    return this.retry(async () => {
      const state = await this.readState(workspace, runId, { tagPages: true });
      if (!state) throw new NotFoundError('run', runId);
      if (!state.tags.entries.has(key)) throw new NotFoundError('tag', key, 'id', { kind: 'run', id: runId });
      const outcome = await this.commit(workspace, runId, state, { removeTags: new Set([key]) });
      if (outcome === 'stale') return undefined;
      const tags = recordOf(Object.entries(state.run.tags).filter(([name]) => name !== key));
      return { ...state.run, tags };
    });
  }

  /**
   * Logs params, which are immutable: the same value again is fine, another one
   * is a ConflictError naming the param, and then nothing is written.
   */
  async putParams(workspace: string, runId: string, params: Record<string, string>): Promise<void> {
    await this.retry(async () => {
      const state = await this.readState(workspace, runId);
      if (!state) throw new NotFoundError('run', runId);
      const fresh = await this.newParams(workspace, runId, state, params);
      if (fresh.size === 0) return true;
      return (await this.commit(workspace, runId, state, { params: fresh })) === 'stale' ? undefined : true;
    });
  }

  /**
   * The params of `params` the run does not have yet; a different value for any
   * it has is a ParamChangeError naming each (params are immutable).
   */
  async newParams(
    workspace: string,
    runId: string,
    state: RunState,
    params: Record<string, string> | ReadonlyMap<string, string>,
  ): Promise<Map<string, string>> {
    const wanted = params instanceof Map ? params : new Map(Object.entries(params));
    const stored = new Map(state.params);
    if (state.paramsOverflow) {
      for (const [key, value] of await this.paramItems(workspace, runId, wanted.keys())) stored.set(key, value);
    }
    const fresh = new Map<string, string>();
    const changes: ParamChange[] = [];
    for (const [key, value] of wanted) {
      const existing = stored.get(key);
      if (existing === undefined) fresh.set(key, value);
      else if (existing !== value) changes.push({ key, logged: existing, sent: value });
    }
    const [first, ...more] = changes;
    if (first) throw new ParamChangeError(runId, [first, ...more]);
    return fresh;
  }

  /**
   * Widens keys' recorded step bounds (lowest step `l`, widest chunk span `w`)
   * where a batch reaches further: `SET` each only if still narrower, so racing
   * batches never undo each other. History reads rely on `w` to look back, so
   * this goes before the chunks are written.
   */
  async widenBounds(
    workspace: string,
    runId: string,
    located: ReadonlyMap<string, { entry: StoredMetricEntry; page: number }>,
    bounds: ReadonlyMap<string, { low: number; span: number }>,
  ): Promise<void> {
    await this.updateEntriesPerItem(workspace, runId, located, (current) => {
      const builder = new UpdateBuilder();
      for (const [key, entry] of current) {
        const bound = bounds.get(key);
        if (!bound || (bound.span <= entry.w && bound.low >= entry.l)) continue;
        const path = builder.path('metrics', key);
        if (bound.span > entry.w) {
          builder.set(`${path}.w`, bound.span);
          builder.condition(`${path}.w < ${builder.value(bound.span)}`);
        }
        if (bound.low < entry.l) {
          builder.set(`${path}.l`, bound.low);
          builder.condition(`${path}.l > ${builder.value(bound.low)}`);
        }
      }
      return builder.isEmpty() ? undefined : { update: builder, context: undefined };
    });
  }

  /**
   * Records that a batch's chunks of these keys landed: each key's batch counter
   * `n` goes up by one, its latest value becomes the batch's newest point where
   * that point is newer (higher step, or the same step and a later timestamp)
   * than what is stored then, and its low-water mark `m` (the lowest step any
   * batch recorded since the last seal claim) comes down to the batch's lowest
   * step. Late blocks (below the frontier as the write lands) are marked
   * dirty. No read-modify-write: the counter is an increment and the rest
   * conditional SETs, so many writers on one key do not wait for each other;
   * a write whose condition
   * failed (another writer or a seal claim moved the entry) is built again from
   * the entry as it is and sent again. Returns, per key, the entry as it was
   * when this write landed (`before`) and what this write made of it.
   */
  async recordBatch(
    workspace: string,
    runId: string,
    located: ReadonlyMap<string, { entry: StoredMetricEntry; page: number }>,
    batch: ReadonlyMap<string, BatchOfKey>,
  ): Promise<Map<string, RecordedBatch>> {
    const results = new Map<string, RecordedBatch>();
    const isNewer = (point: { step: number; timestamp: number }, entry: StoredMetricEntry) =>
      point.step > entry.s || (point.step === entry.s && point.timestamp >= entry.t);
    const landed = await this.updateEntriesPerItem(workspace, runId, located, (current) => {
      const builder = new UpdateBuilder();
      const takes = new Set<string>();
      const lowered = new Set<string>();
      for (const [key, entry] of current) {
        const path = builder.path('metrics', key);
        const ours = batch.get(key);
        builder.set(`${path}.n`, { expression: `${path}.n + ${builder.value(1)}` });
        // Named so that UPDATED_OLD returns them: the frontier as it is when the counter moves.
        builder.set(`${path}.f`, { expression: `${path}.f` });
        builder.set(`${path}.g`, { expression: `${path}.g` });
        const point = ours?.newest;
        if (point && isNewer(point, entry)) {
          takes.add(key);
          builder.set(`${path}.v`, point.value);
          builder.set(`${path}.s`, point.step);
          builder.set(`${path}.t`, point.timestamp);
          // A key with a metric slot: its index entry moves with the value, in the same write.
          if (entry.x !== undefined) {
            const sortable = encodeSortableNumber(storedValueNumber(point.value));
            builder.set(metricSlotIndex(entry.x).sortKey, metricSlotSortKey(sortable));
          }
          const step = builder.value(point.step);
          builder.condition(
            `(${path}.s < ${step} OR (${path}.s = ${step} AND ${path}.t <= ${builder.value(point.timestamp)}))`,
          );
        } else {
          builder.condition(`attribute_exists(${path})`);
        }
        if (!ours) continue;
        // The low-water mark comes down to ours, or stays only while it is at or below ours (a seal claim
        // removes it, and then ours may be the first).
        const low = builder.value(ours.lowest);
        if (entry.m === undefined || entry.m > ours.lowest) {
          builder.set(`${path}.m`, { expression: low });
          builder.condition(`(attribute_not_exists(${path}.m) OR ${path}.m > ${low})`);
        } else {
          builder.condition(`${path}.m <= ${low}`);
        }
        // Late points mark their blocks for the next seal, against the frontier as this write finds it: a
        // condition says which of the batch's blocks are below it, so a seal that moved the frontier past
        // them since the batch read the run makes this write start again, and they are marked (marking them is
        // what keeps every seal's items above them right). Without late blocks the frontier may move, up to
        // the batch's lowest block; with some, it must be as read.
        // A block counts as marked already only while it is still in the list (a seal that read it before these
        // points landed may have removed it since). When the list would overflow, or the batch has more late
        // blocks than one write should check, the frontier moves down below them instead (always safe: fewer
        // steps count as sealed, and the next seal rebuilds them).
        const blocks = lateBlocks(ours.blocks, entry.f);
        const lowestBlockStart = floorDiv(ours.lowest, ROLLUP_BLOCK_STEPS) * ROLLUP_BLOCK_STEPS;
        if (blocks.length > 0) builder.condition(`${path}.f = ${builder.value(entry.f)}`);
        else builder.condition(`${path}.f <= ${builder.value(lowestBlockStart)}`);
        const marked = entry.d ?? [];
        const fresh = blocks.filter((block) => !marked.includes(block));
        const fits = marked.length + fresh.length <= MAX_DIRTY_BLOCKS && blocks.length <= MAX_LATE_BLOCKS_MARKED;
        if (fresh.length > 0 && fits) {
          builder.set(`${path}.d`, {
            expression: `list_append(if_not_exists(${path}.d, ${builder.value([])}), ${builder.value(fresh)})`,
          });
          builder.condition(
            `(attribute_not_exists(${path}.d) OR size(${path}.d) <= ${builder.value(MAX_DIRTY_BLOCKS - fresh.length)})`,
          );
        } else if (blocks.length > 0 && !fits) {
          lowered.add(key);
          builder.replace(`${path}.f`, Math.min(...marked, ...blocks) * ROLLUP_BLOCK_STEPS);
          builder.remove(`${path}.d`);
        }
        if (!lowered.has(key)) {
          for (const block of blocks.filter((block) => marked.includes(block))) {
            builder.condition(`contains(${path}.d, ${builder.value(block)})`);
          }
        }
      }
      return { update: builder, context: { takes, lowered } };
    });
    for (const { current, old, context, page } of landed) {
      const { takes, lowered } = context;
      for (const [key, entry] of current) {
        const before: StoredMetricEntry = { ...entry, ...old.get(key) };
        const ours = batch.get(key);
        const point = ours?.newest;
        const after: StoredMetricEntry = {
          ...before,
          n: before.n + 1,
          ...(takes.has(key) && point ? { v: point.value, s: point.step, t: point.timestamp } : {}),
        };
        if (lowered.has(key)) {
          const blocks = [...(entry.d ?? []), ...lateBlocks(ours?.blocks ?? [], entry.f)];
          after.f = Math.min(...blocks) * ROLLUP_BLOCK_STEPS;
          delete after.d;
        }
        results.set(key, { before, after, page });
      }
    }
    return results;
  }

  /**
   * Claims the next seal of a key's rollups: moves its seal time `g` from what
   * was read to `until` (the end of the claim's lease), and removes its
   * low-water mark `m`, so that from now on `m` is the lowest step of the
   * batches recorded during this seal. Only one writer gets it (the others see
   * a seal time ahead and leave sealing to it); a claim whose lease ran out is
   * taken over. Returns the entry as the claim left it, or undefined when
   * someone else moved `g`.
   */
  async claimSeal(workspace: string, runId: string, key: string, page: number, seen: number, until: number) {
    const builder = new UpdateBuilder();
    const path = builder.path('metrics', key);
    builder.set(`${path}.g`, until);
    builder.remove(`${path}.m`);
    builder.condition(`${path}.g = ${builder.value(seen)}`);
    return this.updateEntry(builder, workspace, runId, key, page);
  }

  /**
   * Ends a claimed seal that moved nothing: its seal time `g` becomes `now`, if
   * the claim is still `claimed`. Returns the entry as that left it (undefined:
   * someone else took the claim over).
   */
  async releaseSeal(workspace: string, runId: string, key: string, page: number, claimed: number, now: number) {
    const builder = new UpdateBuilder();
    const path = builder.path('metrics', key);
    builder.set(`${path}.g`, now);
    builder.condition(`${path}.g = ${builder.value(claimed)}`);
    return this.updateEntry(builder, workspace, runId, key, page);
  }

  /** Sends a conditional update of one key's entry: the entry as it left it, or undefined when its condition failed. */
  private async updateEntry(builder: UpdateBuilder, workspace: string, runId: string, key: string, page: number) {
    try {
      const { Attributes } = await this.client.send(
        new UpdateCommand({
          ...builder.build(this.tableName, this.metricItemKey(workspace, runId, page)),
          ReturnValues: 'ALL_NEW',
        }),
      );
      return new Map(safeEntries<StoredMetricEntry>(Attributes?.metrics)).get(key);
    } catch (error) {
      if (conditionFailedItem(error) === false) throw error;
      return undefined;
    }
  }

  /** The current entry of one key (consistent), for a sealer that must look again. */
  async readMetricEntry(workspace: string, runId: string, key: string, page: number) {
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: this.metricItemKey(workspace, runId, page),
        ConsistentRead: true,
      }),
    );
    return new Map(safeEntries<StoredMetricEntry>(Item?.metrics)).get(key);
  }

  private metricItemKey(workspace: string, runId: string, page: number) {
    return page === 0 ? runValuesKey(workspace, runId) : metricPageKey(workspace, runId, page);
  }

  /**
   * Updates keys' entries on each item they live on (the values item, metric
   * pages), as many keys to an update as DynamoDB's expression limits allow
   * (see `fitsExpressionLimits`), each update as `updateEntries` sends it.
   * Returns what each landed update was built from, with its item's page.
   */
  private async updateEntriesPerItem<C>(
    workspace: string,
    runId: string,
    located: ReadonlyMap<string, { entry: StoredMetricEntry; page: number }>,
    build: (current: Array<[string, StoredMetricEntry]>) => { update: UpdateBuilder; context: C } | undefined,
  ) {
    const byPage = new Map<number, Array<[string, StoredMetricEntry]>>();
    for (const [key, { entry, page }] of located) byPage.set(page, [...(byPage.get(page) ?? []), [key, entry]]);
    const updates: Array<{ page: number; keys: Array<[string, StoredMetricEntry]> }> = [];
    for (const [page, keys] of byPage) {
      let group: Array<[string, StoredMetricEntry]> = [];
      for (const key of keys) {
        const trial = [...group, key];
        const built = build(trial);
        if (group.length > 0 && built && !fitsExpressionLimits(built.update)) {
          updates.push({ page, keys: group });
          group = [key];
        } else {
          group = trial;
        }
      }
      if (group.length > 0) updates.push({ page, keys: group });
    }
    const landed = await Promise.all(
      updates.map(async ({ page, keys }) => {
        const result = await this.updateEntries(workspace, runId, page, keys, build);
        return result && { ...result, page };
      }),
    );
    return landed.filter((result) => result !== undefined);
  }

  /**
   * Updates some keys' entries on one item (the values item or a metric page)
   * with conditions on the entries as last seen. When a condition fails
   * (another writer moved an entry first), the update is built again from the
   * entries the failure returned (keys no longer there are dropped) and sent
   * again, from the third attempt after a jitter and a fresh read, up to MAX_ATTEMPTS. `build` returns undefined when
   * nothing is left to write. Returns the entries the landed update was built
   * from, what `build` said about it, and what UPDATED_OLD returned.
   */
  private async updateEntries<C>(
    workspace: string,
    runId: string,
    page: number,
    keys: Array<[string, StoredMetricEntry]>,
    build: (current: Array<[string, StoredMetricEntry]>) => { update: UpdateBuilder; context: C } | undefined,
  ): Promise<
    | { current: Array<[string, StoredMetricEntry]>; context: C; old: Map<string, Partial<StoredMetricEntry>> }
    | undefined
  > {
    let current = keys;
    for (let attempt = 1; ; attempt++) {
      const built = build(current);
      if (!built) return undefined;
      try {
        const { Attributes } = await this.client.send(
          new UpdateCommand({
            ...built.update.build(this.tableName, this.metricItemKey(workspace, runId, page)),
            ReturnValues: 'UPDATED_OLD',
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        );
        const old = new Map(safeEntries<Partial<StoredMetricEntry>>(Attributes?.metrics));
        return { current, context: built.context, old };
      } catch (error) {
        let item = conditionFailedItem(error);
        if (item === false) throw error;
        if (attempt >= MAX_ATTEMPTS) throw new ServiceUnavailableError(1, { cause: error });
        // The item the failure returned is fresh: the first retries build on it at once. Built on after a
        // pause, it is stale whenever other writers went on meanwhile (many writers on one key failed 12
        // times in a row under load, a 503): later retries pause first, then read the item again.
        if (attempt > 2) {
          await jitter(attempt);
          const key = this.metricItemKey(workspace, runId, page);
          item = (await this.client.send(new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true })))
            .Item;
        }
        const stored = new Map(safeEntries<StoredMetricEntry>(item?.metrics));
        current = current.flatMap(([key]) => {
          const entry = stored.get(key);
          return entry ? [[key, entry] as [string, StoredMetricEntry]] : [];
        });
      }
    }
  }

  /**
   * Moves a key's sealed rollup frontier from `claimed.f` up to `target`, or to
   * the start of the block of the lowest step a batch recorded since the claim
   * (`m`) if that is lower: those batches' points may be missing from what the
   * seal read, everything below their blocks is not. The dirty blocks go too
   * (the seal rebuilt those it was claimed with, and no batch below the
   * frontier was recorded since). Only while the claim is the current one
   * (`g`) and the frontier unmoved; `seen.lowWater` is `m` as the sealer last
   * read it, and the write is retried (bounded) as `m` comes down. `recent`
   * becomes `r`, against the frontier written (see StoredMetricEntry). Returns
   * the entry as the move left it, or undefined when nothing moved.
   */
  async advanceFrontier(
    workspace: string,
    runId: string,
    key: string,
    page: number,
    claimed: { f: number; g: number; dirty: boolean },
    target: number,
    seen: { lowWater: number | undefined },
    now: number,
    recent: RecentSeals,
  ): Promise<StoredMetricEntry | undefined> {
    let lowWater = seen.lowWater;
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const frontier = sealableFrontier(claimed.f, target, lowWater);
      if (frontier === undefined || (frontier === claimed.f && !claimed.dirty)) return undefined;
      const builder = new UpdateBuilder();
      const path = builder.path('metrics', key);
      builder.set(`${path}.f`, frontier);
      builder.set(`${path}.g`, now);
      builder.set(`${path}.r`, encodeRecentSeals(recent, frontier));
      builder.remove(`${path}.d`);
      builder.condition(`${path}.f = ${builder.value(claimed.f)}`);
      builder.condition(`${path}.g = ${builder.value(claimed.g)}`);
      builder.condition(`(attribute_not_exists(${path}.m) OR ${path}.m >= ${builder.value(frontier)})`);
      try {
        const { Attributes } = await this.client.send(
          new UpdateCommand({
            ...builder.build(this.tableName, this.metricItemKey(workspace, runId, page)),
            ReturnValues: 'ALL_NEW',
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        );
        return new Map(safeEntries<StoredMetricEntry>(Attributes?.metrics)).get(key);
      } catch (error) {
        const item = conditionFailedItem(error);
        if (item === false) throw error;
        const entry = new Map(safeEntries<StoredMetricEntry>(item?.metrics)).get(key);
        if (!entry || entry.f !== claimed.f || entry.g !== claimed.g) return undefined;
        lowWater = entry.m;
      }
    }
    return undefined;
  }

  /** Runs `attempt` until it returns a value (undefined: the run changed under it; read again and retry). */
  async retry<T>(attempt: () => Promise<T | undefined>): Promise<T> {
    for (let tries = 1; ; tries++) {
      const result = await attempt();
      if (result !== undefined) return result;
      if (tries >= MAX_ATTEMPTS) throw new ServiceUnavailableError(1);
      await jitter(tries);
    }
  }

  private async send(actions: TransactAction[]): Promise<boolean> {
    if (actions.length === 1) {
      const action = actions[0] as TransactAction;
      try {
        if ('Put' in action && action.Put) await this.client.send(new PutCommand(action.Put as never));
        else if ('Update' in action && action.Update) await this.client.send(new UpdateCommand(action.Update as never));
        return true;
      } catch (error) {
        if (conditionFailedItem(error) === false) throw error;
        return false;
      }
    }
    const reasons = await sendTransaction(this.client, new TransactWriteCommand({ TransactItems: actions as never }));
    return reasons === undefined;
  }

  async batchWrite(requests: object[]): Promise<void> {
    const groups: object[][] = [];
    for (let start = 0; start < requests.length; start += BATCH_WRITE_SIZE) {
      groups.push(requests.slice(start, start + BATCH_WRITE_SIZE));
    }
    await Promise.all(
      groups.map(async (group) => {
        let pending = group;
        for (let attempt = 1; pending.length > 0; attempt++) {
          if (attempt > 8) throw new ServiceUnavailableError(1);
          if (attempt > 1) await jitter(attempt);
          const result = await this.client.send(
            new BatchWriteCommand({ RequestItems: { [this.tableName]: pending as never } }),
          );
          pending = (result.UnprocessedItems?.[this.tableName] ?? []) as Record<string, unknown>[];
        }
      }),
    );
  }

  async batchGet(keys: PrimaryKey[], consistent: boolean): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    for (let start = 0; start < keys.length; start += BATCH_GET_SIZE) {
      let pending = keys.slice(start, start + BATCH_GET_SIZE);
      for (let attempt = 1; pending.length > 0; attempt++) {
        if (attempt > 8) throw new ServiceUnavailableError(1);
        if (attempt > 1) await jitter(attempt);
        const result = await this.client.send(
          new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: pending, ConsistentRead: consistent } } }),
        );
        items.push(...(result.Responses?.[this.tableName] ?? []));
        pending = (result.UnprocessedKeys?.[this.tableName]?.Keys ?? []) as PrimaryKey[];
      }
    }
    return items;
  }
}

/** A tag write that would leave the run with more than 200 tags is refused before anything is written. */
export function checkTagRoom(state: RunState, keys: Iterable<string>) {
  const added = [...new Set(keys)].filter((key) => !state.tags.entries.has(key)).length;
  if (state.tags.entries.size + added > limits.tagsPerEntity) {
    throw new ConflictError('run.too_many_tags', `a run holds at most ${limits.tagsPerEntity} tags`);
  }
}

type TransactAction = { Put?: Record<string, unknown>; Update?: Record<string, unknown> } & Record<string, unknown>;

/**
 * Builds one UpdateItem whose attribute names (user-chosen keys among them)
 * all go through placeholders, with short names so a hundred keys fit the
 * 4 KB expression limit.
 */
class UpdateBuilder {
  private readonly names: Record<string, string> = Object.create(null);
  private readonly nameOf = new Map<string, string>();
  private readonly values: Record<string, unknown> = Object.create(null);
  private sets: string[] = [];
  private readonly removes: string[] = [];
  private readonly conditions: string[] = [];
  private counter = 0;

  private name(attribute: string): string {
    let placeholder = this.nameOf.get(attribute);
    if (!placeholder) {
      placeholder = `#${(this.counter++).toString(36)}`;
      this.nameOf.set(attribute, placeholder);
      this.names[placeholder] = attribute;
    }
    return placeholder;
  }

  path(map: string, key: string): string {
    return `${this.name(map)}.${this.name(key)}`;
  }

  /** The placeholder of a top-level attribute, for conditions. */
  attribute(name: string): string {
    return this.name(name);
  }

  value(value: unknown): string {
    const placeholder = `:${(this.counter++).toString(36)}`;
    this.values[placeholder] = value;
    return placeholder;
  }

  /** Sets an attribute to a value, or to `{ expression }` (an update expression over placeholders). */
  set(path: string, value: unknown) {
    const target = path.startsWith('#') ? path : this.name(path);
    this.sets = this.sets.filter((clause) => !clause.startsWith(`${target} = `));
    const isExpression = typeof value === 'object' && value !== null && 'expression' in value;
    this.sets.push(`${target} = ${isExpression ? (value as { expression: string }).expression : this.value(value)}`);
  }

  /** Sets an attribute another SET of this update already named: the new value wins. */
  replace(path: string, value: unknown) {
    this.set(path, value);
  }

  remove(path: string) {
    this.removes.push(path);
  }

  condition(expression: string) {
    this.conditions.push(expression);
  }

  isEmpty() {
    return this.sets.length === 0 && this.removes.length === 0;
  }

  build(tableName: string, key: PrimaryKey) {
    const clauses = [
      this.sets.length ? `SET ${this.sets.join(', ')}` : '',
      this.removes.length ? `REMOVE ${this.removes.join(', ')}` : '',
    ].filter(Boolean);
    return {
      TableName: tableName,
      Key: key,
      UpdateExpression: clauses.join(' '),
      ...(this.conditions.length ? { ConditionExpression: this.conditions.join(' AND ') } : {}),
      ExpressionAttributeNames: this.names,
      ...(Object.keys(this.values).length ? { ExpressionAttributeValues: this.values } : {}),
    };
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

const sizeOfParams = (params: ReadonlyMap<string, string>) =>
  [...params].reduce((sum, [key, value]) => sum + entryBytes(key, value), 0);

const pageNumber = (sortKey: string) => Number(sortKey.slice(sortKey.indexOf('#') + 1));

const jitter = (attempt: number) =>
  new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * 2 ** Math.min(attempt, 6)));

/**
 * The slot attributes of the entries placed at `page` that have a metric slot
 * (StoredMetricEntry.x), and with any, the run's param digests (`p`, which the
 * slot GSIs carry as index items do).
 */
function slotAttributesOf(
  workspace: string,
  experimentId: string,
  metrics: PagedMap<StoredMetricEntry>,
  page: number,
  entryParams: Uint8Array | undefined,
): Record<string, unknown> {
  const attributes: Record<string, unknown> = {};
  for (const [key, located] of metrics.entries) {
    const { x } = located.value;
    if (located.page !== page || x === undefined) continue;
    Object.assign(
      attributes,
      metricSlotAttributes(x, workspace, experimentId, key, storedValueNumber(located.value.v)),
    );
  }
  if (entryParams && Object.keys(attributes).length > 0) attributes.p = entryParams;
  return attributes;
}
