import * as z from 'zod/mini';
import { runStatuses } from '../../domain/types.ts';
import { lifecycleFilter } from './lifecycle.ts';
import { limits } from '../../limits.ts';
import { experimentIdSchema } from './paths.ts';
import { metricPoint } from './metrics.ts';
import { paramValueSchema } from './params.ts';
import { pipelineSchema } from './pipeline.ts';
import { boundedRecord, idSchema, nameSchema, pageSize, pageToken, tagsSchema, text } from './text.ts';

/** Runs: create/start, end, tag, list, and the run shapes every run route answers with. */

const runFields = {
  run_name: z.optional(nameSchema),
  tags: z.optional(tagsSchema),
  parent_run_id: z.optional(idSchema),
  git_commit: z.optional(text(limits.gitCommitLength)),
  code_version: z.optional(text(limits.codeVersionLength)),
  pipeline: z.optional(pipelineSchema),
  params: z
    .optional(boundedRecord(paramValueSchema, limits.paramsPerRequest))
    .check(z.meta({ description: "The run's first params, written with it" })),
  metrics: z
    .optional(z.array(metricPoint).check(z.maxLength(limits.metricPointsPerRequest)))
    .check(z.meta({ description: "The run's first metric points, written with it" })),
  idempotency_key: z.optional(text(limits.idempotencyKeyLength)).check(
    z.meta({
      description:
        "Names the run in its experiment: a create retried with it answers the first one's run and writes nothing. Or the Idempotency-Key header",
    }),
  ),
};

export const createRunBody = z.strictObject(runFields);

export const startRunBody = z
  .strictObject({
    experiment_name: z.optional(nameSchema),
    experiment_id: z.optional(experimentIdSchema),
    ...runFields,
  })
  .check(
    z.refine((body) => (body.experiment_name === undefined) !== (body.experiment_id === undefined), {
      error: 'give exactly one of experiment_name and experiment_id',
      path: ['experiment_name'],
    }),
  );

export const setTagsBody = z.strictObject({
  tags: tagsSchema.check(z.refine((tags) => Object.keys(tags).length > 0, { error: 'must hold at least one tag' })),
});

export const listRunsQuery = z.object({
  max_results: pageSize(limits.pageSizeMax, limits.pageSizeDefault),
  page_token: pageToken,
  lifecycle: lifecycleFilter,
  status: z
    .optional(
      z.pipe(
        z.enum([...runStatuses, 'COMPLETED']),
        z.transform((status) => (status === 'COMPLETED' ? 'FINISHED' : status)),
      ),
    )
    .check(z.meta({ description: 'COMPLETED is accepted as FINISHED' })),
});

// What answers carry a run: a module of its own, so that functions that only answer runs (searches)
// leave the request schemas above out of their bundles.
export { runDetailsResponse, runListResponse, runResponse } from './run-responses.ts';
