import * as z from 'zod/mini';
import { idSchema, nameSchema, recordedTimeSchema } from './text.ts';

/**
 * `PATCH /api/v1/runs/{run_id}`: end, rename or nest a run. A module of its own, so that the
 * run routes that do not take it (create-run, list-runs) do not carry it in their bundles.
 */
export const updateRunBody = z
  .strictObject({
    status: z.optional(
      z
        .pipe(
          z.enum(['FINISHED', 'FAILED', 'KILLED', 'COMPLETED']),
          z.transform((status) => (status === 'COMPLETED' ? 'FINISHED' : status)),
        )
        .check(z.meta({ description: 'Ends the run; COMPLETED is accepted as FINISHED' })),
    ),
    end_time: z.optional(recordedTimeSchema),
    run_name: z.optional(nameSchema),
    parent_run_id: z.optional(
      z.nullable(idSchema).check(
        z.meta({
          description:
            'Nests the run under this run of the workspace, or moves it (not under a run nested under it: 400); null un-nests it',
        }),
      ),
    ),
  })
  .check(
    z.refine((body) => body.status !== undefined || body.run_name !== undefined || body.parent_run_id !== undefined, {
      error: 'give status (to end the run), run_name (to rename it) or parent_run_id (to nest it)',
      path: ['status'],
    }),
  );
