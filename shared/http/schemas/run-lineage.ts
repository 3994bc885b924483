import * as z from 'zod/mini';
import { timestampSchema } from './text.ts';

/** A dataset a run used, as MLflow's `log_input` recorded it; `context` is its `mlflow.data.context` tag. */
const lineageDataset = z.object({
  name: z.string(),
  digest: z.string(),
  source_type: z.string(),
  source: z.string(),
  schema: z.optional(z.string()),
  profile: z.optional(z.string()),
  context: z.optional(z.string()),
  tags: z.record(z.string(), z.string()),
});

/**
 * A logged model the run used (`used`) or produced (`produced_at_step`), or
 * both; `name`, `status` and `created_at` when the model is still there and
 * among the first the answer looks up (`models_looked_up`).
 */
const lineageModel = z.object({
  model_id: z.string(),
  used: z.boolean(),
  produced_at_step: z.optional(z.int()),
  name: z.optional(z.string()),
  status: z.optional(z.enum(['PENDING', 'READY', 'UPLOAD_FAILED'])),
  created_at: z.optional(timestampSchema),
});

export const runLineageResponse = z.object({
  run_id: z.string(),
  datasets: z.array(lineageDataset),
  models: z.array(lineageModel),
  models_looked_up: z.int(),
});
