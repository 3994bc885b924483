import { encodeSortableNumber } from '../domain/search/sortable-number.ts';
import type { Run } from '../domain/types.ts';
import {
  entityTypes,
  latestMetricsKey,
  metricIndexKey,
  paramKey,
  paramSummaryKey,
  runKey,
  runsByExperimentKey,
  runsByMetricValueKey,
  runsByParamValueKey,
} from './keys.ts';

/**
 * The items of a run, each with its keys and index keys, in one place: the
 * repositories write them and the search benchmark loads them in bulk, so the
 * two can never disagree on an item's shape.
 */

/** `lifecycleStage` is stored on every run item, so lists can filter deleted runs out. */
export const runItem = (workspace: string, run: Run) => ({
  ...runKey(workspace, run.runId),
  ...runsByExperimentKey(workspace, run.experimentId, run.startTime, run.runId),
  type: entityTypes.run,
  ...run,
});

export const latestMetricsItem = (
  workspace: string,
  runId: string,
  metrics: Record<string, unknown> = {},
  spans: Record<string, number> = {},
) => ({ ...latestMetricsKey(workspace, runId), type: entityTypes.latestMetrics, metrics, spans });

export const paramSummaryItem = (workspace: string, runId: string, params: Record<string, string> = {}) => ({
  ...paramSummaryKey(workspace, runId),
  type: entityTypes.paramSummary,
  params,
});

export const paramItem = (workspace: string, experimentId: string, runId: string, key: string, value: string) => ({
  ...paramKey(workspace, runId, key),
  ...runsByParamValueKey(workspace, experimentId, key, value, runId),
  type: entityTypes.param,
  runId,
  key,
  value,
});

/** The run's latest value of one metric, placed on the index that orders runs by it. */
export const metricIndexItem = (
  workspace: string,
  experimentId: string,
  runId: string,
  key: string,
  value: number,
) => ({
  ...metricIndexKey(workspace, runId, key),
  ...runsByMetricValueKey(workspace, experimentId, key, encodeSortableNumber(value), runId),
  type: entityTypes.metricIndex,
  runId,
});
