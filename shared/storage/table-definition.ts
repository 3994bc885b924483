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
  projection: 'ALL' | 'KEYS_ONLY';
}

/**
 * gsi1 serves listings (workspaces, tokens, experiments, runs), which read
 * their items from it alone: it projects every attribute. Only the items the
 * listings show are on it (run items hold fields and tags, not params or
 * metrics), so nothing else is copied. gsi2 orders runs by name; search loads
 * the runs it finds by key, so it projects only keys (docs/data-model.md).
 */
export const globalIndexes: readonly GlobalIndexDefinition[] = [
  { indexName: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk', projection: 'ALL' },
  { indexName: 'gsi2', partitionKey: 'gsi2pk', sortKey: 'gsi2sk', projection: 'KEYS_ONLY' },
];

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
