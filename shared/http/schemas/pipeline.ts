import * as z from 'zod/mini';
import { limits } from '../../limits.ts';
import { nameSchema } from './text.ts';

const maxJsonBytes = 16 * 1024;
const maxJsonDepth = 16;
const jsonDepth = (value: unknown): number =>
  typeof value === 'object' && value !== null ? 1 + Math.max(0, ...Object.values(value).map(jsonDepth)) : 0;

/** A run's pipeline: a bounded free-form config and its named components; the same shape in and out. */
export const pipelineSchema = z.object({
  pipeline_config: z.optional(
    z.record(z.string(), z.unknown()).check(
      z.refine((config) => JSON.stringify(config).length <= maxJsonBytes, {
        error: `must serialise to at most ${maxJsonBytes} bytes`,
      }),
      z.refine((config) => jsonDepth(config) <= maxJsonDepth, { error: `must nest at most ${maxJsonDepth} levels` }),
    ),
  ),
  pipeline_components: z.optional(
    z
      .array(
        z.object({
          name: nameSchema,
          type: nameSchema,
          stage: z.optional(nameSchema),
          position: z.int().check(z.gte(0), z.lte(10_000)),
        }),
      )
      .check(z.maxLength(limits.pipelineComponents)),
  ),
});
