import * as z from 'zod/mini';
import { lifecycleStages } from '../../domain/types.ts';
import { limits } from '../../limits.ts';
import { lifecycleFilter } from './lifecycle.ts';
import { tagFilterChecks } from './tag-filters.ts';
import { experimentTagsSchema, freeText, nameSchema, pageSize, pageToken, text } from './text.ts';

/** Experiments: create, list (with tag filters) and their response shapes. */

export const createExperimentBody = z.strictObject({
  experiment_name: nameSchema,
  description: z.optional(freeText(limits.descriptionLength)),
  tags: z.optional(experimentTagsSchema),
});

export const listExperimentsQuery = z
  .looseObject({
    max_results: pageSize(limits.pageSizeMax, limits.pageSizeDefault),
    page_token: pageToken,
    lifecycle: lifecycleFilter,
    name_contains: z.optional(
      text(limits.nameLength).check(z.meta({ description: 'Only experiments whose name contains this, in any case' })),
    ),
  })
  .check(...tagFilterChecks(limits.experimentTagValueLength));

export const experimentResponse = z.object({
  experiment_id: z.string(),
  experiment_name: z.string(),
  description: z.optional(z.string()),
  tags: z.record(z.string(), z.string()),
  created_at: z.int(),
  updated_at: z.int(),
  lifecycle_stage: z.enum(lifecycleStages),
  run_count: z.int().check(
    z.meta({
      description:
        "Active runs: what the experiment's runs list shows by default. 0 for a deleted experiment, whose runs are all deleted with it",
    }),
  ),
  deleted_run_count: z.int().check(
    z.meta({
      description:
        'Deleted runs, not yet purged: what `lifecycle=deleted` lists. For a deleted experiment, all of its runs (restoring it brings back those not deleted on their own)',
    }),
  ),
  last_activity_at: z.optional(
    z.int().check(z.meta({ description: 'The latest run start or end (epoch ms); absent before the first run' })),
  ),
});

/** Tags set on an experiment: values as long as MLflow's experiment tags. */
export const setExperimentTagsBody = z.strictObject({
  tags: experimentTagsSchema.check(
    z.refine((tags) => Object.keys(tags).length > 0, { error: 'must hold at least one tag' }),
  ),
});

export const experimentListResponse = z.object({
  experiments: z.array(experimentResponse),
  next_page_token: z.optional(z.string()),
});
