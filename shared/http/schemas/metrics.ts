import * as z from 'zod/mini';
import { limits } from '../../limits.ts';
import { metricValueSchema, wireMetricValue } from './metric-values.ts';
import {
  documentedAs,
  writtenKeySchema,
  pageSize,
  pageToken,
  safeInteger,
  writtenStep,
  stepRangeInOrder,
  text,
  recordedTimeSchema,
} from './text.ts';

/** Metrics: logging points (one, or a batch) and reading a metric's history. */

export const idempotencyKey = z.optional(text(limits.idempotencyKeyLength)).check(
  z.meta({
    description:
      'A retried request (the same points) with the same key adds no points; the key with other points adds those. Also accepted as the Idempotency-Key header',
  }),
);

export const metricPoint = z.strictObject({
  key: writtenKeySchema,
  value: metricValueSchema,
  step: z.optional(writtenStep),
  timestamp: z.optional(recordedTimeSchema),
});

export const logMetricsBody = z.union([
  z.strictObject({
    metrics: z.array(metricPoint).check(z.minLength(1), z.maxLength(limits.metricPointsPerRequest)),
    idempotency_key: idempotencyKey,
  }),
  z.strictObject({
    metric_name: writtenKeySchema,
    metric_value: metricValueSchema,
    step: z.optional(writtenStep),
    timestamp: z.optional(recordedTimeSchema),
    idempotency_key: idempotencyKey,
  }),
]);

export const logMetricsResponse = z.object({ run_id: z.string(), accepted: z.int(), keys: z.int() });

/**
 * An integer in a query string: decimal digits with an optional sign and nothing else. Coerced
 * as a JavaScript number, `start_step=` (empty) was 0, cutting off the negative steps, and `0x10`
 * was 16; now each is a 400 naming the parameter. Described as the integer it stands for.
 */
const queryInteger = <S extends z.ZodMiniType<number, number>>(bounds: S, minimum: number, maximum: number) =>
  documentedAs(
    z.pipe(
      z.pipe(
        z.string().check(z.regex(/^[+-]?\d{1,16}$/, { error: 'must be a whole number in decimal digits' })),
        z.transform((text) => Number(text)),
      ),
      bounds,
    ),
    { type: 'integer', minimum, maximum },
  );

const stepQuery = z.optional(queryInteger(safeInteger, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER));
export const metricHistoryQuery = z
  .object({
    max_results: pageSize(limits.metricHistoryPageMax, limits.metricHistoryPageDefault),
    page_token: pageToken,
    start_step: stepQuery,
    end_step: stepQuery,
    max_points: z
      .optional(queryInteger(z.int().check(z.gte(2), z.lte(limits.downsampleMaxPoints)), 2, limits.downsampleMaxPoints))
      .check(
        z.meta({
          description:
            'At most this many points over the whole step range, however long: the extremes of every bucket plus the first and last points (exact when the range holds no more)',
        }),
      ),
  })
  .check(
    stepRangeInOrder,
    // A downsampled history is one answer, without pages: a token beside max_points would be ignored.
    z.refine((query) => query.max_points === undefined || query.page_token === undefined, {
      error: 'cannot be combined with max_points (one answer)',
      path: ['page_token'],
    }),
  );

export const metricHistoryResponse = z.object({
  run_id: z.string(),
  key: z.string(),
  points: z.array(z.object({ step: z.int(), value: wireMetricValue, timestamp: z.int() })),
  downsampled: z.boolean(),
  next_page_token: z.optional(z.string()),
});
