import * as z from 'zod/mini';
import '../../zod-messages.ts';
import { parseNonFiniteValue } from '../../domain/metric-values.ts';

const description = 'A number, or "NaN", "Infinity" or "-Infinity"';

/** A metric value in a request: a JSON number, or "NaN" / "Infinity" / "-Infinity" (see metric-values.ts). */
export const metricValueSchema = z
  .pipe(
    z.union([
      z.number(),
      z.string().check(
        z.refine((value) => parseNonFiniteValue(value) !== undefined, {
          error: 'must be a number or one of "NaN", "Infinity", "-Infinity"',
        }),
      ),
    ]),
    z.transform((value) => (typeof value === 'number' ? value : (parseNonFiniteValue(value) as number))),
  )
  .check(z.meta({ description }));

/** A metric value in a response. */
export const wireMetricValue = z
  .union([z.number(), z.enum(['NaN', 'Infinity', '-Infinity'])])
  .check(z.meta({ description }));

const decimal = /^\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\s*$/;

/**
 * A metric value as MLflow's server reads it: also a number written as a
 * string ("1.5"), which its JSON parser turns into the double.
 */
export const mlflowMetricValue = z
  .pipe(
    z.union([
      z.number(),
      z.string().check(
        z.refine((value) => decimal.test(value) || parseNonFiniteValue(value) !== undefined, {
          error: 'must be a number or one of "NaN", "Infinity", "-Infinity"',
        }),
      ),
    ]),
    z.transform((value) => (typeof value === 'number' ? value : (parseNonFiniteValue(value) ?? Number(value.trim())))),
  )
  .check(z.meta({ description: `${description}; a number may also be sent as a string` }));
