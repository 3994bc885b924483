import type * as z from 'zod/mini';
import type { MetricPoint } from '../domain/metric-chunk.ts';
import { toWireMetricValue } from '../domain/metric-values.ts';
import { type Experiment, type Pipeline, type Run, type RunDetails, runTally } from '../domain/types.ts';
import type { RunComparison } from '../use-cases/compare.ts';
import type { SearchRunsResult } from '../use-cases/search.ts';
import { toCsv } from './csv.ts';
import type { experimentResponse } from './schemas/experiments.ts';
import type { runDetailsResponse, runResponse } from './schemas/runs.ts';
import type { compareRunsResponse } from './schemas/search.ts';
import { ownValue } from '../domain/own.ts';
import { runEntryPage } from '../domain/run-entry-pages.ts';
import { searchPlanHeader } from './search-plan-header.ts';

/** Domain objects in the API's snake_case JSON shape. */

export const experimentView = (experiment: Experiment): z.input<typeof experimentResponse> => {
  const runs = runTally(experiment);
  return {
    experiment_id: experiment.experimentId,
    experiment_name: experiment.name,
    description: experiment.description,
    tags: experiment.tags,
    created_at: experiment.createdAt,
    updated_at: experiment.updatedAt,
    lifecycle_stage: experiment.lifecycleStage,
    run_count: runs.active,
    deleted_run_count: runs.deleted,
    last_activity_at: experiment.lastActivityAt,
  };
};

const pipelineView = (pipeline: Pipeline | undefined) =>
  pipeline && {
    pipeline_config: pipeline.config,
    pipeline_components: pipeline.components.map((component) => ({
      name: component.name,
      type: component.type,
      stage: component.stage,
      position: component.position,
    })),
  };

/** A run with the first page of its tags (domain/run-entry-pages.ts: a run's answer stays bounded). */
export const runView = (run: Run): z.input<typeof runResponse> => {
  const tags = runEntryPage(run.tags);
  return {
    run_id: run.runId,
    run_name: run.runName,
    experiment_id: run.experimentId,
    status: run.status,
    lifecycle_stage: run.lifecycleStage,
    start_time: run.startTime,
    end_time: run.endTime,
    duration_ms: run.endTime === undefined ? undefined : run.endTime - run.startTime,
    tags: tags.entries,
    tags_truncated: tags.more !== undefined || undefined,
    parent_run_id: run.parentRunId,
    git_commit: run.gitCommit,
    code_version: run.codeVersion,
    pipeline: pipelineView(run.pipeline),
  };
};

/** A run with the first page of its params and of its tags, and the latest point of every metric. */
export const runDetailsView = (run: RunDetails): z.input<typeof runDetailsResponse> => {
  const params = runEntryPage(run.params);
  return {
    ...runView(run),
    params: params.entries,
    params_truncated: params.more !== undefined || undefined,
    metrics: Object.fromEntries(
      run.metrics.map((metric) => [
        metric.key,
        {
          value: toWireMetricValue(metric.value),
          step: metric.step,
          min_step: metric.lowestStep,
          timestamp: metric.timestamp,
        },
      ]),
    ),
  };
};

/** Both search routes answer alike: the page of runs, and the plan taken in a header. */
export const searchRunsAnswer = (result: SearchRunsResult) => ({
  body: { runs: result.runs.map(runDetailsView), next_page_token: result.cursor },
  headers: searchPlanHeader(result.plan),
});

export const metricPointView = (point: MetricPoint) => ({
  step: point.step,
  value: toWireMetricValue(point.value),
  timestamp: point.timestamp,
});

/** The comparison's columns end before the answer's bound (use-cases/compare.ts); runs with values past them say so. */
export const comparisonView = (comparison: RunComparison): z.input<typeof compareRunsResponse> => {
  const compared = new Set(comparison.metricNames);
  return {
    metric_names: comparison.metricNames,
    param_names: comparison.paramNames,
    runs: comparison.runs.map((run) => {
      const latest = new Map(run.metrics.map((metric) => [metric.key, metric.value]));
      return {
        run_id: run.runId,
        run_name: run.runName,
        experiment_id: run.experimentId,
        status: run.status,
        start_time: run.startTime,
        metrics: Object.fromEntries(
          comparison.metricNames.map((name) => {
            const value = latest.get(name);
            return [name, value === undefined ? null : toWireMetricValue(value)];
          }),
        ),
        metric_steps: Object.fromEntries(
          run.metrics
            .filter((metric) => compared.has(metric.key))
            .map((metric) => [metric.key, { step: metric.step, min_step: metric.lowestStep }]),
        ),
        params: Object.fromEntries(comparison.paramNames.map((name) => [name, ownValue(run.params, name) ?? null])),
        params_truncated: comparison.paramsTruncated.has(run.runId) || undefined,
        metrics_truncated: comparison.metricsTruncated.has(run.runId) || undefined,
      };
    }),
  };
};

/** The comparison as CSV: `run_id,run_name,status,start_time,metrics.<name>...,params.<name>...`. */
export const comparisonCsv = (comparison: RunComparison): string =>
  toCsv(
    [
      'run_id',
      'run_name',
      'status',
      'start_time',
      ...comparison.metricNames.map((name) => `metrics.${name}`),
      ...comparison.paramNames.map((name) => `params.${name}`),
    ],
    comparison.runs.map((run) => {
      const latest = new Map(run.metrics.map((metric) => [metric.key, metric.value]));
      return [
        run.runId,
        run.runName,
        run.status,
        run.startTime,
        ...comparison.metricNames.map((name) => latest.get(name)),
        ...comparison.paramNames.map((name) => ownValue(run.params, name)),
      ];
    }),
  );
