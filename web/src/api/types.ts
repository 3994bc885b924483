import type { operations } from './schema.gen.ts';

/** Answer bodies by operation, straight from the generated OpenAPI types. */
type Answer<O extends keyof operations> = operations[O]['responses'] extends infer R
  ? R extends { 200: { content: { 'application/json': infer B } } }
    ? B
    : R extends { 201: { content: { 'application/json': infer B } } }
      ? B
      : never
  : never;

export type Experiment = Answer<'getExperiment'>;
export type ExperimentList = Answer<'listExperiments'>;
export type RunDetails = Answer<'getRun'>;
export type SearchAnswer = Answer<'searchRunsPost'>;
export type SearchedRun = SearchAnswer['runs'][number];
export type MetricHistory = Answer<'getMetricHistory'>;
export type MetricPoint = MetricHistory['points'][number];
export type Comparison = Answer<'compareRuns'>;
export type Artifact = Answer<'listArtifacts'>['artifacts'][number];
export type ArtifactDownload = Answer<'downloadArtifact'>;
export type RunStatus = RunDetails['status'];
export type ApiToken = Answer<'listTokens'>['tokens'][number];
export type CreatedApiToken = Answer<'createToken'>;
/** A metric value as the API sends it: a number, or "NaN", "Infinity", "-Infinity". */
export type WireValue = MetricPoint['value'];

export const numericValue = (value: WireValue | null | undefined): number => {
  if (value === null || value === undefined) return Number.NaN;
  if (typeof value === 'number') return value;
  return value === 'Infinity' ? Infinity : value === '-Infinity' ? -Infinity : Number.NaN;
};

export type RegisteredModel = Answer<'getRegisteredModel'>;
export type ModelVersion = Answer<'getModelVersion'>;
export type AliasEvent = Answer<'getAliasHistory'>['events'][number];
export type VersionDownload = Answer<'getModelVersionDownload'>;
