import * as z from 'zod/mini';
import { limits } from '../../limits.ts';
import { idempotencyKey, metricPoint } from './metrics.ts';
import { paramValueSchema } from './params.ts';
import { boundedRecord, tagsSchema } from './text.ts';

/** Params, tags and metric points in one request, applied whole or not at all. */
export const logBatchBody = z
  .strictObject({
    params: z.optional(boundedRecord(paramValueSchema, limits.paramsPerRequest)),
    tags: z.optional(tagsSchema),
    metrics: z.optional(z.array(metricPoint).check(z.maxLength(limits.metricPointsPerRequest))),
    idempotency_key: idempotencyKey,
  })
  .check(
    z.refine(
      (body) =>
        Object.keys(body.params ?? {}).length + Object.keys(body.tags ?? {}).length + (body.metrics ?? []).length > 0,
      { error: 'give at least one param, tag or metric point', path: ['params'] },
    ),
  );

export const logBatchResponse = z.object({
  run_id: z.string(),
  params: z.int(),
  tags: z.int(),
  accepted: z.int(),
  keys: z.int(),
});
