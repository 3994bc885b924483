import * as z from 'zod/mini';
import { limits } from '../../limits.ts';
import { wireMetricValue } from './metric-values.ts';
import { pageSize, pageToken, timestampSchema } from './text.ts';

export const listLoggedModelsQuery = z.object({
  max_results: pageSize(limits.pageSizeMax, limits.pageSizeDefault),
  page_token: pageToken,
});

/** The latest point of a metric logged for the model (per dataset, when one was named). */
const loggedModelMetric = z.object({
  key: z.string(),
  value: wireMetricValue,
  step: z.int(),
  timestamp: timestampSchema,
  run_id: z.string(),
  dataset_name: z.optional(z.string()),
  dataset_digest: z.optional(z.string()),
});

/**
 * A logged model (MLflow 3's `log_model` makes one): what it is, the run that holds its files, its
 * params, tags and the latest value of each metric logged for it.
 */
export const loggedModelSchema = z.object({
  model_id: z.string(),
  experiment_id: z.string(),
  name: z.string(),
  model_type: z.optional(z.string()),
  status: z.enum(['PENDING', 'READY', 'UPLOAD_FAILED']),
  source_run_id: z.string(),
  created_at: timestampSchema,
  updated_at: timestampSchema,
  params: z.record(z.string(), z.string()),
  tags: z.record(z.string(), z.string()),
  metrics: z.array(loggedModelMetric),
});

export const loggedModelListResponse = z.object({
  models: z.array(loggedModelSchema),
  next_page_token: z.optional(z.string()),
});
