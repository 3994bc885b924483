/**
 * The one table definition, read by the CDK stack and by the local stack's
 * table bootstrap, so that both always have the same keys and indexes.
 */
export const tableKeys = { partitionKey: 'pk', sortKey: 'sk' } as const;

/** Every key attribute, table and index alike, is a string; indexes project all attributes. */
export const keyAttributeType = 'S';

export interface GlobalIndexDefinition {
  indexName: string;
  partitionKey: string;
  sortKey: string;
}

export const globalIndexes: readonly GlobalIndexDefinition[] = [
  { indexName: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
  { indexName: 'gsi2', partitionKey: 'gsi2pk', sortKey: 'gsi2sk' },
];

/** Access patterns, named for what they answer, mapped to the generic physical GSIs. */
export const logicalIndexes = {
  workspacesByCreation: 'gsi1',
  tokensByWorkspace: 'gsi1',
  experimentsByCreation: 'gsi1',
  runsByExperiment: 'gsi1',
  loggedModelsByExperiment: 'gsi1',
  // Search indexes: many small items rewritten as latest values change, kept
  // apart from gsi1 so the listing index never carries their write traffic.
  runsByMetricValue: 'gsi2',
  runsByParamValue: 'gsi2',
} as const;

/** The attributes that position a query on gsi1: its own key plus the table key. */
export const indexPosition = ['pk', 'sk', 'gsi1pk', 'gsi1sk'] as const;
/** The same for gsi2. */
export const searchIndexPosition = ['pk', 'sk', 'gsi2pk', 'gsi2sk'] as const;
