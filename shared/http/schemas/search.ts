import * as z from 'zod/mini';
import { lifecycleFilter } from './lifecycle.ts';
import { runStatuses } from '../../domain/types.ts';
import { searchLimits } from '../../domain/search/parser.ts';
import { limits } from '../../limits.ts';
import { wireMetricValue } from './metric-values.ts';
import { experimentIdSchema } from './paths.ts';
import { runDetailsResponse } from './run-responses.ts';
import { idSchema, keySchema, nameSchema, pageSize, pageToken } from './text.ts';

/** Search (GET and POST forms) and compare. */

const filterSchema = z
  .string()
  .check(
    z.maxLength(searchLimits.filterLength, { error: `must be at most ${searchLimits.filterLength} characters` }),
    z.meta({ description: "MLflow filter syntax, e.g. `metrics.accuracy > 0.9 AND params.model = 'xgboost'`" }),
  );
const orderKeySchema = z
  .string()
  .check(z.maxLength(1000), z.meta({ description: 'e.g. `metrics.f1 DESC` or `start_time`' }));

export const searchRunsQuery = z
  .object({
    experiment_name: z.optional(nameSchema),
    experiment_id: z.optional(experimentIdSchema),
    filter: z.optional(filterSchema),
    order_by: z
      .optional(z.string().check(z.maxLength(searchLimits.orderKeys * 1000)))
      .check(z.meta({ description: 'Order keys; repeat the parameter (or separate with commas) for several' })),
    max_results: pageSize(limits.pageSizeMax, limits.searchPageSizeDefault),
    page_token: pageToken,
    lifecycle: lifecycleFilter,
  })
  .check(
    z.refine((query) => (query.experiment_name === undefined) !== (query.experiment_id === undefined), {
      error: 'give exactly one of experiment_name and experiment_id',
      path: ['experiment_name'],
    }),
  );

export const searchRunsBody = z
  .strictObject({
    experiment_ids: z.optional(z.array(experimentIdSchema).check(z.maxLength(searchLimits.experiments))),
    experiment_names: z.optional(z.array(nameSchema).check(z.maxLength(searchLimits.experiments))),
    filter: z.optional(filterSchema),
    order_by: z.optional(z.array(orderKeySchema).check(z.maxLength(searchLimits.orderKeys))),
    max_results: z._default(z.int().check(z.gte(1), z.lte(limits.pageSizeMax)), limits.searchPageSizeDefault),
    page_token: pageToken,
    lifecycle: lifecycleFilter,
  })
  .check(
    z.refine((body) => (body.experiment_ids?.length ?? 0) + (body.experiment_names?.length ?? 0) > 0, {
      error: 'give at least one experiment in experiment_ids or experiment_names',
      path: ['experiment_ids'],
    }),
  );

export const searchRunsResponse = z.object({
  runs: z.array(runDetailsResponse),
  next_page_token: z.optional(z.string()),
});

export const compareRunsBody = z.strictObject({
  run_ids: z.array(idSchema).check(z.minLength(1), z.maxLength(limits.compareRunsMax)),
  metric_names: z.optional(z.array(keySchema).check(z.maxLength(limits.metricKeysPerRun))),
  param_names: z.optional(z.array(keySchema).check(z.maxLength(limits.metricKeysPerRun))),
  only_differing_params: z.optional(z.boolean()),
});

/** A comparison's columns: asked for, or every key of the runs in key order; they end before the answer's bound. */
const comparedColumns = (what: string) =>
  z.array(z.string()).check(
    z.meta({
      description: `The ${what} columns, in the order asked for (else every ${what} of the runs, in key order). They end before the answer would outgrow a function's 6 MB, so they may stop short: each run with a value past them says \`${what}s_truncated\``,
    }),
  );

export const compareRunsResponse = z.object({
  metric_names: comparedColumns('metric'),
  param_names: comparedColumns('param'),
  runs: z.array(
    z.object({
      run_id: z.string(),
      run_name: z.string(),
      experiment_id: z.string(),
      status: z.enum(runStatuses),
      start_time: z.int(),
      metrics: z.record(z.string(), z.nullable(wireMetricValue)),
      metric_steps: z.record(z.string(), z.object({ step: z.int(), min_step: z.int() })).check(
        z.meta({
          description:
            "Each compared metric the run has: its latest point's step and its lowest step (equal when it is a value, not a curve, as in the run's details)",
        }),
      ),
      params: z.record(z.string(), z.nullable(z.string())),
      params_truncated: z.optional(z.literal(true)).check(
        z.meta({
          description:
            "The run has a value in a param column left out of this answer for its size (`param_names` ends before Lambda's 6 MB would): GET /api/v1/runs/{run_id}/params reads them all. A run without it has none there",
        }),
      ),
      metrics_truncated: z.optional(z.literal(true)).check(
        z.meta({
          description:
            "The run has a value in a metric column left out of this answer for its size: GET /api/v1/runs/{run_id} holds every metric's latest point. A run without it has none there",
        }),
      ),
    }),
  ),
});
