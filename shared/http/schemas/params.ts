import * as z from 'zod/mini';
import { limits } from '../../limits.ts';
import { boundedRecord, freeText } from './text.ts';

/**
 * A number a param may be sent as: any but an integer past 2^53 − 1, which JSON readers (this one
 * included) round, so that `12345678901234567890` would be stored as "12345678901234567000".
 */
const exactNumber = z.number().check(
  z.refine((value) => !Number.isInteger(value) || Number.isSafeInteger(value), {
    error: 'is an integer past 2^53 − 1, which JSON cannot hold exactly: send it as a string',
  }),
);

/** Params arrive as JSON scalars (the seeds log ints and floats) and are stored as their string form. */
export const paramValueSchema = z.pipe(
  z.pipe(
    z.union([z.string(), exactNumber, z.boolean()]),
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
