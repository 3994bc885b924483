import * as z from 'zod/mini';
import { lifecycleStages, runStatuses } from '../../domain/types.ts';
import { wireMetricValue } from './metric-values.ts';
import { pipelineSchema } from './pipeline.ts';

/** A run in an answer (shared/http/views.ts). */

/** A key's latest point: the one at its highest step (then the latest timestamp). */
const latestMetricResponse = z.object({
  value: wireMetricValue,
  step: z.int(),
  min_step: z.int().check(
    z.meta({
      description: "The key's lowest step: equal to step when all its points are at one step (a value, not a curve)",
    }),
  ),
  timestamp: z.int(),
});

export const runResponse = z.object({
  run_id: z.string(),
  run_name: z.string(),
  experiment_id: z.string(),
  status: z.enum(runStatuses),
  lifecycle_stage: z.enum(lifecycleStages),
  start_time: z.int(),
  end_time: z.optional(z.int()),
  duration_ms: z.optional(z.int()),
  /** The first page of the run's tags, in key order (domain/run-entry-pages.ts). */
  tags: z.record(z.string(), z.string()),
  /** More tags than the page: GET /api/v1/runs/{run_id}/tags reads them all. */
  tags_truncated: z.optional(z.literal(true)),
  parent_run_id: z.optional(z.string()),
  git_commit: z.optional(z.string()),
  code_version: z.optional(z.string()),
  pipeline: z.optional(pipelineSchema),
});

export const runDetailsResponse = z.extend(runResponse, {
  /** The first page of the run's params, in key order (domain/run-entry-pages.ts). */
  params: z.record(z.string(), z.string()),
  /** More params than the page: GET /api/v1/runs/{run_id}/params reads them all. */
  params_truncated: z.optional(z.literal(true)),
  metrics: z.record(z.string(), latestMetricResponse),
});

export const runListResponse = z.object({ runs: z.array(runResponse), next_page_token: z.optional(z.string()) });
