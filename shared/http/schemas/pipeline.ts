import * as z from 'zod/mini';
import { limits } from '../../limits.ts';
import { boundedJsonObject, nameSchema } from './text.ts';

/**
 * A run's pipeline: a bounded free-form config and its named components; the same shape in and out.
 * A field it does not have is a 400 naming it, as at a body's top level, rather than dropped.
 */
export const pipelineSchema = z.strictObject({
  pipeline_config: z.optional(boundedJsonObject(limits.pipelineConfigBytes, limits.pipelineConfigDepth)),
  pipeline_components: z.optional(
    z
      .array(
        z.strictObject({
          name: nameSchema,
          type: nameSchema,
          stage: z.optional(nameSchema),
          position: z.int().check(z.gte(0), z.lte(10_000)),
        }),
      )
      .check(z.maxLength(limits.pipelineComponents)),
  ),
});
