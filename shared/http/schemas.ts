import { z } from 'zod';
import { parseNonFiniteValue } from '../domain/metric-values.ts';
import { runStatuses } from '../domain/types.ts';
import { searchLimits } from '../domain/search/parser.ts';
import { limits } from '../limits.ts';
import { artifactResponse } from './artifact-schemas.ts';

/**
 * Request and response shapes of the HTTP API. Handlers validate with them, the
 * OpenAPI description is generated from them, and integration tests check
 * responses against them, so the three cannot drift apart.
 */

// Rejecting control characters is the point of this pattern.
const controlCharacters = /[\u0000-\u001f\u007f]/;

const text = (max: number) =>
  z
    .string()
    .max(max, { error: `must be at most ${max} characters` })
    .refine((value) => !controlCharacters.test(value), { error: 'must not contain control characters' })
    // A lone UTF-16 surrogate has no UTF-8 form: it could not be stored as sent.
    .refine((value) => value.isWellFormed(), { error: 'must be valid Unicode (no lone surrogates)' });

const nonEmptyText = (max: number) =>
  text(max).refine((value) => value.trim().length > 0, { error: 'must not be empty' });

export const keySchema = nonEmptyText(limits.keyLength);
export const nameSchema = nonEmptyText(limits.nameLength);
export const idSchema = z.string().regex(/^[0-9a-f]{32}$/, { error: 'must be 32 lowercase hex characters' });

const boundedRecord = <V extends z.ZodType>(value: V, maxEntries: number) =>
  z.record(keySchema, value).refine((record) => Object.keys(record).length <= maxEntries, {
    error: `must have at most ${maxEntries} entries`,
  });

export const tagsSchema = boundedRecord(text(limits.tagValueLength), limits.tagsPerRequest);

const safeInteger = z.int().min(Number.MIN_SAFE_INTEGER).max(Number.MAX_SAFE_INTEGER);
export const timestampSchema = z.int().min(0).max(8_640_000_000_000_000);

/** A metric value: a JSON number, or "NaN" / "Infinity" / "-Infinity" (see metric-values.ts). */
export const metricValueSchema = z
  .union([
    z.number(),
    z.string().refine((value) => parseNonFiniteValue(value) !== undefined, {
      error: 'must be a number or one of "NaN", "Infinity", "-Infinity"',
    }),
  ])
  .transform((value) => (typeof value === 'number' ? value : (parseNonFiniteValue(value) as number)))
  .meta({ description: 'A number, or "NaN", "Infinity" or "-Infinity"' });

const wireMetricValue = z
  .union([z.number(), z.enum(['NaN', 'Infinity', '-Infinity'])])
  .meta({ description: 'A number, or "NaN", "Infinity" or "-Infinity"' });

/** Params arrive as JSON scalars (the seeds log ints and floats) and are stored as their string form. */
export const paramValueSchema = z
  .union([z.string(), z.number(), z.boolean()])
  .transform((value) => String(value))
  .pipe(text(limits.paramValueLength));

const maxJsonBytes = 16 * 1024;
const maxJsonDepth = 16;
const jsonDepth = (value: unknown): number =>
  typeof value === 'object' && value !== null ? 1 + Math.max(0, ...Object.values(value).map(jsonDepth)) : 0;

const pipelineSchema = z.object({
  pipeline_config: z
    .record(z.string(), z.unknown())
    .refine((config) => JSON.stringify(config).length <= maxJsonBytes, {
      error: `must serialise to at most ${maxJsonBytes} bytes`,
    })
    .refine((config) => jsonDepth(config) <= maxJsonDepth, { error: `must nest at most ${maxJsonDepth} levels` })
    .optional(),
  pipeline_components: z
    .array(
      z.object({
        name: nameSchema,
        type: nameSchema,
        stage: nameSchema.optional(),
        position: z.int().min(0).max(10_000),
      }),
    )
    .max(limits.pipelineComponents)
    .optional(),
});

// ----- requests -----

export const experimentIdPath = z.object({ experiment_id: idSchema });
export const experimentNamePath = z.object({ experiment_name: nameSchema });
export const runIdPath = z.object({ run_id: idSchema });
export const metricHistoryPath = z.object({ run_id: idSchema, metric_key: keySchema });

const pageSize = (max: number, fallback: number) => z.coerce.number().pipe(z.int().min(1).max(max)).default(fallback);
const pageToken = z.string().max(2048).optional();

export const listExperimentsQuery = z
  .looseObject({
    max_results: pageSize(limits.pageSizeMax, limits.pageSizeDefault),
    page_token: pageToken,
  })
  .meta({ description: 'Filter by tags with `tag.KEY=VALUE` parameters (all must hold)' })
  .superRefine((query, context) => {
    const tags = Object.entries(query).filter(([name]) => name.startsWith('tag.'));
    if (tags.length > limits.experimentTagFilters) {
      context.addIssue({ code: 'custom', message: `at most ${limits.experimentTagFilters} tag filters` });
    }
    for (const [name, value] of tags) {
      const key = keySchema.safeParse(name.slice(4));
      const tagValue = text(limits.tagValueLength).safeParse(value);
      if (!key.success || typeof value !== 'string' || !tagValue.success) {
        context.addIssue({
          code: 'custom',
          path: [name],
          message: `must be tag.KEY=VALUE with a key of 1-${limits.keyLength} and a value of at most ${limits.tagValueLength} characters, without control characters`,
        });
      }
    }
  });

export const listRunsQuery = z.object({
  max_results: pageSize(limits.pageSizeMax, limits.pageSizeDefault),
  page_token: pageToken,
  status: z
    .enum([...runStatuses, 'COMPLETED'])
    .transform((status) => (status === 'COMPLETED' ? 'FINISHED' : status))
    .optional()
    .meta({ description: 'COMPLETED is accepted as FINISHED' }),
});

const stepQuery = z.coerce.number().pipe(safeInteger).optional();
export const metricHistoryQuery = z.object({
  max_results: pageSize(limits.metricHistoryPageMax, limits.metricHistoryPageDefault),
  page_token: pageToken,
  start_step: stepQuery,
  end_step: stepQuery,
  max_points: z.coerce.number().pipe(z.int().min(2).max(limits.downsampleMaxPoints)).optional(),
});

const filterSchema = z
  .string()
  .max(searchLimits.filterLength, { error: `must be at most ${searchLimits.filterLength} characters` })
  .meta({ description: "MLflow filter syntax, e.g. `metrics.accuracy > 0.9 AND params.model = 'xgboost'`" });
const orderKeySchema = z.string().max(1000).meta({ description: 'e.g. `metrics.f1 DESC` or `start_time`' });
const searchPageSize = pageSize(limits.pageSizeMax, limits.searchPageSizeDefault);

export const searchRunsQuery = z
  .object({
    experiment_name: nameSchema.optional(),
    experiment_id: idSchema.optional(),
    filter: filterSchema.optional(),
    order_by: z
      .string()
      .max(searchLimits.orderKeys * 1000)
      .optional()
      .meta({ description: 'Order keys; repeat the parameter (or separate with commas) for several' }),
    max_results: searchPageSize,
    page_token: pageToken,
  })
  .refine((query) => (query.experiment_name === undefined) !== (query.experiment_id === undefined), {
    error: 'give exactly one of experiment_name and experiment_id',
    path: ['experiment_name'],
  });

export const searchRunsBody = z
  .strictObject({
    experiment_ids: z.array(idSchema).max(searchLimits.experiments).optional(),
    experiment_names: z.array(nameSchema).max(searchLimits.experiments).optional(),
    filter: filterSchema.optional(),
    order_by: z.array(orderKeySchema).max(searchLimits.orderKeys).optional(),
    max_results: z.int().min(1).max(limits.pageSizeMax).default(limits.searchPageSizeDefault),
    page_token: pageToken,
  })
  .refine((body) => (body.experiment_ids?.length ?? 0) + (body.experiment_names?.length ?? 0) > 0, {
    error: 'give at least one experiment in experiment_ids or experiment_names',
    path: ['experiment_ids'],
  });

export const compareRunsBody = z.strictObject({
  run_ids: z.array(idSchema).min(1).max(limits.compareRunsMax),
  metric_names: z.array(keySchema).max(limits.metricKeysPerRun).optional(),
  param_names: z.array(keySchema).max(limits.metricKeysPerRun).optional(),
  only_differing_params: z.boolean().optional(),
});

export const createExperimentBody = z.strictObject({
  experiment_name: nameSchema,
  description: text(limits.descriptionLength).optional(),
  tags: tagsSchema.optional(),
});

const runFields = {
  run_name: nameSchema.optional(),
  tags: tagsSchema.optional(),
  parent_run_id: idSchema.optional(),
  git_commit: text(limits.gitCommitLength).optional(),
  code_version: text(limits.codeVersionLength).optional(),
  pipeline: pipelineSchema.optional(),
};

export const createRunBody = z.strictObject(runFields);

export const startRunBody = z
  .strictObject({ experiment_name: nameSchema.optional(), experiment_id: idSchema.optional(), ...runFields })
  .refine((body) => (body.experiment_name === undefined) !== (body.experiment_id === undefined), {
    error: 'give exactly one of experiment_name and experiment_id',
    path: ['experiment_name'],
  });

export const updateRunBody = z.strictObject({
  status: z
    .enum(['FINISHED', 'FAILED', 'KILLED', 'COMPLETED'])
    .transform((status) => (status === 'COMPLETED' ? 'FINISHED' : status))
    .meta({ description: 'COMPLETED is accepted as FINISHED' }),
  end_time: timestampSchema.optional(),
});

export const logParamsBody = z.strictObject({
  params: boundedRecord(paramValueSchema, limits.paramsPerRequest).refine((params) => Object.keys(params).length > 0, {
    error: 'must hold at least one param',
  }),
});

export const setTagsBody = z.strictObject({
  tags: tagsSchema.refine((tags) => Object.keys(tags).length > 0, { error: 'must hold at least one tag' }),
});

const idempotencyKey = text(limits.idempotencyKeyLength).optional().meta({
  description: 'A retried request with the same key adds no points (also accepted as the Idempotency-Key header)',
});

const metricPoint = z.strictObject({
  key: keySchema,
  value: metricValueSchema,
  step: safeInteger.optional(),
  timestamp: timestampSchema.optional(),
});

export const logMetricsBody = z.union([
  z.strictObject({
    metrics: z.array(metricPoint).min(1).max(limits.metricPointsPerRequest),
    idempotency_key: idempotencyKey,
  }),
  z.strictObject({
    metric_name: keySchema,
    metric_value: metricValueSchema,
    step: safeInteger.optional(),
    timestamp: timestampSchema.optional(),
    idempotency_key: idempotencyKey,
  }),
]);

// ----- responses -----

export const errorResponse = z.object({ error: z.object({ code: z.string(), message: z.string() }) });

export const experimentResponse = z.object({
  experiment_id: z.string(),
  experiment_name: z.string(),
  description: z.string().optional(),
  tags: z.record(z.string(), z.string()),
  created_at: z.int(),
});

export const experimentListResponse = z.object({
  experiments: z.array(experimentResponse),
  next_page_token: z.string().optional(),
});

const latestMetricResponse = z.object({ value: wireMetricValue, step: z.int(), timestamp: z.int() });

export const runResponse = z.object({
  run_id: z.string(),
  run_name: z.string(),
  experiment_id: z.string(),
  status: z.enum(runStatuses),
  start_time: z.int(),
  end_time: z.int().optional(),
  duration_ms: z.int().optional(),
  tags: z.record(z.string(), z.string()),
  parent_run_id: z.string().optional(),
  git_commit: z.string().optional(),
  code_version: z.string().optional(),
  pipeline: pipelineSchema.optional(),
});

export const runDetailsResponse = runResponse.extend({
  params: z.record(z.string(), z.string()),
  metrics: z.record(z.string(), latestMetricResponse),
});

/** `GET /runs/{id}`: the details and the run's complete artifacts. */
export const runWithArtifactsResponse = runDetailsResponse.extend({ artifacts: z.array(artifactResponse) });
export const searchRunsResponse = z.object({
  runs: z.array(runDetailsResponse),
  next_page_token: z.string().optional(),
});

export const compareRunsResponse = z.object({
  metric_names: z.array(z.string()),
  param_names: z.array(z.string()),
  runs: z.array(
    z.object({
      run_id: z.string(),
      run_name: z.string(),
      experiment_id: z.string(),
      status: z.enum(runStatuses),
      start_time: z.int(),
      metrics: z.record(z.string(), wireMetricValue.nullable()),
      params: z.record(z.string(), z.string().nullable()),
    }),
  ),
});

export const runListResponse = z.object({ runs: z.array(runResponse), next_page_token: z.string().optional() });

export const logParamsResponse = z.object({ run_id: z.string(), params: z.record(z.string(), z.string()) });
export const logMetricsResponse = z.object({ run_id: z.string(), accepted: z.int(), keys: z.int() });

export const metricHistoryResponse = z.object({
  run_id: z.string(),
  key: z.string(),
  points: z.array(z.object({ step: z.int(), value: wireMetricValue, timestamp: z.int() })),
  downsampled: z.boolean(),
  next_page_token: z.string().optional(),
});

export const openApiResponse = z.record(z.string(), z.unknown());
