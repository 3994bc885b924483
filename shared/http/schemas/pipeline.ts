import * as z from 'zod/mini';
import { limits } from '../../limits.ts';
import { boundedJsonObject, nameSchema } from './text.ts';

/** A run's pipeline: a bounded free-form config and its named components; the same shape in and out. */
export const pipelineSchema = z.object({
  pipeline_config: z.optional(boundedJsonObject(limits.pipelineConfigBytes, limits.pipelineConfigDepth)),
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
