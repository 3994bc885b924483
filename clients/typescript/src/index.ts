export { ExperimentTracker } from './tracker.ts';
export type { EndStatus, LogInputOptions, SearchRunsOptions, StartRunOptions, TrackerOptions } from './tracker.ts';
export { StratusConnectionError, StratusError } from './errors.ts';
export type { RetryPolicy } from './http.ts';
export type { BatcherStats } from './metrics.ts';
export type { ProgressCallback } from './artifacts.ts';
export type {
  Artifact,
  ArtifactType,
  ComparisonRow,
  Experiment,
  LineageDataset,
  LineageModel,
  LoggedModel,
  LoggedModelMetric,
  MetricValue,
  PipelineComponent,
  Run,
  RunLineage,
  RunStatus,
} from './types.ts';
export { ModelRegistry } from './registry.ts';
export type {
  AliasEvent,
  ModelVersion,
  ModelVersionFile,
  RegisteredModel,
  RegisterOptions,
  RegistryOptions,
  VersionRef,
} from './registry.ts';
