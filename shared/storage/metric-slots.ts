import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { conditionFailedItem } from './dynamo-errors.ts';
import { experimentKey } from './keys.ts';
import { recordOf, safeEntries } from './run-reader.ts';
import { MAX_METRIC_INDEX_SLOTS } from './table-definition.ts';

/**
 * An experiment's metric slots (docs/search.md, "Metric slots"): which of its
 * metric keys is indexed through which slot GSI. The map is on the experiment
 * item (`metricSlots`, key to slot, and `metricSlotCount`); a key's slot never
 * changes once given, so what a process has read of it stays true and is
 * kept (SLOT_CACHE_EXPERIMENTS experiments at most). A key without a slot may
 * get one any moment, so "no slot" is trusted for NO_SLOT_TRUST_MS only.
 */
export class MetricSlots {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    /** Slot GSIs the table has (0: none; metric values are indexed by items of their own). */
    private readonly slotCount: number = MAX_METRIC_INDEX_SLOTS,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * The slots of `keys` in the experiment, giving free slots (in the order of
   * `keys`) to those without one while any are left. A key missing from the
   * answer has none: its values are indexed by items of their own.
   */
  async assign(workspace: string, experimentId: string, keys: readonly string[]): Promise<Map<string, number>> {
    if (this.slotCount === 0 || keys.length === 0) return new Map();
    const id = cacheId(this.tableName, workspace, experimentId);
    let view = cache.get(id);
    if (!view || !this.covers(view, keys)) view = await this.read(workspace, experimentId, id, true);
    for (let attempt = 1; view && !this.covers(view, keys) && attempt <= MAX_ASSIGN_ATTEMPTS; attempt++) {
      view = await this.give(workspace, experimentId, id, view, keys);
    }
    return slotsOf(view, keys, this.slotCount);
  }

  /** The slot of `key` in the experiment for a read (undefined: none). */
  async slotOf(workspace: string, experimentId: string, key: string): Promise<number | undefined> {
    if (this.slotCount === 0) return undefined;
    const id = cacheId(this.tableName, workspace, experimentId);
    let view = cache.get(id);
    const trusted = view && (view.slots.has(key) || this.full(view) || this.now() - view.readAt < NO_SLOT_TRUST_MS);
    if (!trusted) view = await this.read(workspace, experimentId, id, false);
    return this.usable(view?.slots.get(key));
  }

  /** Every key has a slot, or no slot is left to give. */
  private covers(view: SlotView, keys: readonly string[]) {
    return this.full(view) || keys.every((key) => view.slots.has(key));
  }

  private full(view: SlotView) {
    return view.count >= this.slotCount;
  }

  /** A slot the table has an index for (a deployment may have fewer than were given: see table-definition.ts). */
  private usable(slot: number | undefined) {
    return slot !== undefined && slot < this.slotCount ? slot : undefined;
  }

  private async read(workspace: string, experimentId: string, id: string, consistent: boolean) {
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: experimentKey(workspace, experimentId),
        ProjectionExpression: 'metricSlots, metricSlotCount',
        ConsistentRead: consistent,
      }),
    );
    return Item ? remember(id, viewOf(Item, this.now())) : undefined;
  }

  /**
   * Gives free slots to the keys without one, conditional on the count as
   * read: of racing writers one wins, the others see its slots and give the
   * next ones. Answers the map as it is after (or as the failure found it).
   */
  private async give(
    workspace: string,
    experimentId: string,
    id: string,
    view: SlotView,
    keys: readonly string[],
  ): Promise<SlotView | undefined> {
    const wanted = [...new Set(keys)].filter((key) => !view.slots.has(key)).slice(0, this.slotCount - view.count);
    const given = new Map(view.slots);
    wanted.forEach((key, index) => given.set(key, view.count + index));
    const count = view.count + wanted.length;
    const names: Record<string, string> = { '#slots': 'metricSlots' };
    const values: Record<string, unknown> = { ':count': count };
    let update: string;
    let condition: string;
    if (view.count === 0) {
      update = 'SET #slots = :slots, metricSlotCount = :count';
      condition = 'attribute_exists(pk) AND attribute_not_exists(metricSlotCount)';
      values[':slots'] = recordOf(given);
    } else {
      const sets = wanted.map((key, index) => {
        names[`#k${index}`] = key;
        values[`:s${index}`] = view.count + index;
        return `#slots.#k${index} = :s${index}`;
      });
      update = `SET ${sets.join(', ')}, metricSlotCount = :count`;
      condition = 'metricSlotCount = :seen';
      values[':seen'] = view.count;
    }
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: experimentKey(workspace, experimentId),
          UpdateExpression: update,
          ConditionExpression: condition,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return remember(id, { slots: given, count, readAt: this.now() });
    } catch (error) {
      const item = conditionFailedItem(error);
      if (item === false) throw error;
      // Gone (purged): no slots; the caller's own writes find the experiment missing.
      return item ? remember(id, viewOf(item, this.now())) : undefined;
    }
  }
}

interface SlotView {
  slots: Map<string, number>;
  count: number;
  /** When it was read (a key it lacks may have a slot since). */
  readAt: number;
}

/** Experiments whose slots a process keeps; the oldest read is forgotten first. */
const SLOT_CACHE_EXPERIMENTS = 2000;
/** How long a read of an experiment's slots answers "no slot" for a key (search may lag that much). */
const NO_SLOT_TRUST_MS = 1000;
/** Racing writers each win one round at most: this bounds the rounds of one that keeps losing. */
const MAX_ASSIGN_ATTEMPTS = 8;

const cache = new Map<string, SlotView>();

const cacheId = (tableName: string, workspace: string, experimentId: string) =>
  JSON.stringify([tableName, workspace, experimentId]);

function remember(id: string, view: SlotView): SlotView {
  cache.delete(id);
  cache.set(id, view);
  if (cache.size > SLOT_CACHE_EXPERIMENTS) cache.delete(cache.keys().next().value as string);
  return view;
}

function viewOf(item: Record<string, unknown>, readAt: number): SlotView {
  const slots = new Map<string, number>();
  for (const [key, slot] of safeEntries<unknown>(item.metricSlots)) if (typeof slot === 'number') slots.set(key, slot);
  const count = typeof item.metricSlotCount === 'number' ? item.metricSlotCount : 0;
  return { slots, count, readAt };
}

function slotsOf(view: SlotView | undefined, keys: readonly string[], slotCount: number): Map<string, number> {
  const slots = new Map<string, number>();
  for (const key of keys) {
    const slot = view?.slots.get(key);
    if (slot !== undefined && slot < slotCount) slots.set(key, slot);
  }
  return slots;
}
