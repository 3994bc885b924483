import * as z from 'zod/mini';
import '../../zod-messages.ts';
import { keySchema, nameSchema } from './text.ts';

/** Deleting, restoring, renaming and purging experiments and runs, and removing tags (`/api/v1`). */

export const experimentTagPath = z.object({
  experiment_id: z
    .string()
    .check(z.regex(/^([0-9a-f]{32}|0)$/, { error: 'must be 32 lowercase hex characters, or 0' })),
  tag_key: keySchema,
});
export const runTagPath = z.object({
  run_id: z.string().check(z.regex(/^[0-9a-f]{32}$/, { error: 'must be 32 lowercase hex characters' })),
  tag_key: keySchema,
});

/** Which lifecycle stages a list or search includes: active ones unless asked. */
export const lifecycleFilter = z
  ._default(z.enum(['active', 'deleted', 'all']), 'active')
  .check(z.meta({ description: 'active (the default), deleted, or all' }));

export const viewOfLifecycle = (lifecycle: 'active' | 'deleted' | 'all') =>
  lifecycle === 'active' ? 'ACTIVE_ONLY' : lifecycle === 'deleted' ? 'DELETED_ONLY' : 'ALL';

export const updateExperimentBody = z.strictObject({ experiment_name: nameSchema });

export const purgeResponse = z.object({
  purged: z.object({ runs: z.int(), items: z.int(), objects: z.int() }),
});
