import * as z from 'zod/mini';
import { limits } from '../../limits.ts';
import { boundedRecord, freeText } from './text.ts';

/** Params arrive as JSON scalars (the seeds log ints and floats) and are stored as their string form. */
export const paramValueSchema = z.pipe(
  z.pipe(
    z.union([z.string(), z.number(), z.boolean()]),
    z.transform((value) => String(value)),
  ),
  freeText(limits.paramValueLength),
);

export const logParamsBody = z.strictObject({
  params: boundedRecord(paramValueSchema, limits.paramsPerRequest).check(
    z.refine((params) => Object.keys(params).length > 0, { error: 'must hold at least one param' }),
  ),
});

export const logParamsResponse = z.object({ run_id: z.string(), params: z.record(z.string(), z.string()) });
