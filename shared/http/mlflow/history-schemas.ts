import * as z from 'zod/mini';
import '../../zod-messages.ts';
import { keySchema } from '../schemas/text.ts';
import { integer, mlflowId, mlflowLimits, pageSize, pageToken, step } from './fields.ts';

/**
 * MLflow's metric history request shapes (fields.ts says how they are read). Apart from the run
 * shapes, so that only the history function carries them.
 */

export const metricHistoryQuery = z.object({
  run_id: z.optional(mlflowId),
  run_uuid: z.optional(mlflowId),
  metric_key: keySchema,
  page_token: pageToken,
  max_results: z._default(pageSize(mlflowLimits.historyPage), mlflowLimits.historyPage),
});

/**
 * Run ids of a repeated query parameter, which API Gateway joins with commas. Counted as MLflow's
 * server counts them, before repeats are dropped: more than 100 is a 400 there too.
 */
const runIdList = z.string().check(
  z.minLength(1, { error: 'must name at least one run' }),
  z.refine((value) => value.split(',').every((id) => id === '' || mlflowId.safeParse(id).success), {
    error: 'must be run ids (letters, digits, _ and -, at most 64 each) separated by commas',
  }),
  z.refine((value) => value.split(',').length <= mlflowLimits.bulkHistoryRuns, {
    error: `must name at most ${mlflowLimits.bulkHistoryRuns} runs`,
  }),
);

/** The step range in order, refused in MLflow's server's words (its REST test looks for them). */
const mlflowStepRangeInOrder = z.refine<{ start_step?: number | undefined; end_step?: number | undefined }>(
  (query) => query.start_step === undefined || query.end_step === undefined || query.start_step <= query.end_step,
  {
    error: ({ input }) => {
      const range = input as { start_step?: number; end_step?: number };
      return `end_step must be greater than start_step. Found start_step=${range.start_step} and end_step=${range.end_step}.`;
    },
    path: ['start_step'],
  },
);

export const bulkIntervalQuery = z
  .object({
    run_ids: runIdList,
    metric_key: keySchema,
    start_step: z.optional(step),
    end_step: z.optional(step),
    max_results: z._default(integer(1, mlflowLimits.bulkIntervalMaxResults), mlflowLimits.bulkIntervalMaxResults),
  })
  .check(mlflowStepRangeInOrder);

/**
 * MLflow's web-app route `get-history-bulk`: `run_id` repeated, and `max_results` points in all
 * (25,000 at most, as there; 0 is none, as there).
 */
export const bulkHistoryQuery = z.object({
  run_id: runIdList,
  metric_key: keySchema,
  max_results: z._default(integer(0, Number.MAX_SAFE_INTEGER), mlflowLimits.historyPage),
});
