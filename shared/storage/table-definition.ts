/**
 * The one table definition, read by the CDK stack and by the local stack's
 * table bootstrap, so that both always have the same keys and indexes.
 */
export const tableKeys = { partitionKey: 'pk', sortKey: 'sk' } as const;

/** Every key attribute, table and index alike, is a string. */
export const keyAttributeType = 'S';

export interface GlobalIndexDefinition {
  indexName: string;
  partitionKey: string;
  sortKey: string;
  /** What an index entry carries besides the keys (DynamoDB's ProjectionType). */
  projection: 'ALL' | 'KEYS_ONLY' | 'INCLUDE';
  /** With INCLUDE: the other attributes it carries. */
  nonKeyAttributes?: readonly string[];
}

/**
 * gsi1 serves listings (workspaces, tokens, experiments, runs), which read
 * their items from it alone: it projects every attribute. Only the items the
 * listings show are on it (run items hold fields and tags, not params or
 * metrics), so nothing else is copied. gsi2 orders runs by name; search loads
 * the runs it finds by key, so it projects only keys (docs/data-model.md).
 */
const listingIndexes: readonly GlobalIndexDefinition[] = [
  { indexName: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk', projection: 'ALL' },
  { indexName: 'gsi2', partitionKey: 'gsi2pk', sortKey: 'gsi2sk', projection: 'KEYS_ONLY' },
];

/**
 * Metric slot indexes (docs/search.md, "Metric slots"): each of an
 * experiment's first metric keys gets a slot, and a run's latest value of
 * that key is indexed on the item that holds it (the values item), through
 * that slot's GSI, instead of by an index item of its own. A run's first
 * writes are then a few items rather than one more per key. The slot count is
 * a deployment setting (CloudFormation adds one GSI per stack update, so a
 * stack from before them reaches the full count one deployment at a time);
 * the functions are told the count the table has (STRATUS_METRIC_INDEX_SLOTS).
 * Entries carry the run's param digests (`p`), as index items do.
 */
export const MAX_METRIC_INDEX_SLOTS = 16;

export const metricSlotIndex = (slot: number): GlobalIndexDefinition => ({
  indexName: `metricSlot${slot}`,
  partitionKey: `ms${slot}pk`,
  sortKey: `ms${slot}sk`,
  projection: 'INCLUDE',
  nonKeyAttributes: ['p'],
});

/** An index's Projection as DynamoDB's API and CloudFormation spell it. */
export const indexProjection = (index: GlobalIndexDefinition) => ({
  ProjectionType: index.projection,
  ...(index.nonKeyAttributes ? { NonKeyAttributes: [...index.nonKeyAttributes] } : {}),
});

/** Every metric slot GSI a table may have: search routes may query each (IAM grants). */
export const metricSlotIndexNames = Array.from(
  { length: MAX_METRIC_INDEX_SLOTS },
  (_, slot) => metricSlotIndex(slot).indexName,
);

/** Every GSI of a table with `slots` metric slot indexes. */
export const globalIndexesWith = (slots: number): readonly GlobalIndexDefinition[] => [
  ...listingIndexes,
  ...Array.from({ length: slots }, (_, slot) => metricSlotIndex(slot)),
];

/** The table's GSIs at the full slot count: what a new table (local or deployed) gets. */
export const globalIndexes = globalIndexesWith(MAX_METRIC_INDEX_SLOTS);

/** Access patterns, named for what they answer, mapped to the generic physical GSIs. */
export const logicalIndexes = {
  workspacesByCreation: 'gsi1',
  tokensByWorkspace: 'gsi1',
  experimentsByCreation: 'gsi1',
  runsByExperiment: 'gsi1',
  modelsByName: 'gsi1',
  modelVersionsByRun: 'gsi1',
  loggedModelsByExperiment: 'gsi1',
  runsByName: 'gsi2',
  modelsByUpdate: 'gsi2',
  modelVersionsByUpdate: 'gsi2',
} as const;

/** The attributes that position a query on gsi1: its own key plus the table key. */
export const indexPosition = ['pk', 'sk', 'gsi1pk', 'gsi1sk'] as const;
/** The same for gsi2. */
export const searchIndexPosition = ['pk', 'sk', 'gsi2pk', 'gsi2sk'] as const;
