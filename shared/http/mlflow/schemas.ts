import * as z from 'zod/mini';
import '../../zod-messages.ts';
import { artifactLimits } from '../../domain/artifacts.ts';
import { viewTypes } from '../../domain/types.ts';
import { limits } from '../../limits.ts';
import { searchLimits } from '../../domain/search/parser.ts';
import { mlflowMetricValue } from '../schemas/metric-values.ts';
import { mlflowEntityKey } from './entity-keys.ts';
import { documentedAs, freeText, keySchema, maxUtf8Bytes, nameSchema, text, timestampSchema } from '../schemas/text.ts';

/**
 * MLflow's request shapes (mlflow/protos/service.proto), validated at the edge
 * like every other route: a 400 `INVALID_PARAMETER_VALUE` whose message names the
 * field. Objects are not strict: MLflow's server ignores fields it does not know,
 * and newer clients send some (e.g. `run_uuid` beside `run_id`).
 *
 * Numbers come as JSON numbers in bodies and as decimal strings in GET queries;
 * both are accepted where MLflow declares an int64.
 */

/** MLflow's limits (mlflow/utils/validation.py and mlflow/store/tracking/__init__.py). */
export const mlflowLimits = {
  searchRunsDefault: 1000,
  searchRunsMax: 50_000,
  searchExperimentsDefault: 1000,
  searchExperimentsMax: 50_000,
  historyPage: 25_000,
  bulkIntervalMaxResults: 2500,
  bulkIntervalRuns: 100,
  /**
   * Points over all the runs of one bulk-interval request read whole for MLflow's
   * exact sampling; a longer range is answered from rollups (README, "From MLflow").
   */
  bulkIntervalExactPoints: 25_000,
  /** Params and tags per log-batch, and metrics per log-batch. */
  batchParamsAndTags: 100,
  batchMetrics: 1000,
  /** Metrics, params and tags of one log-batch together. */
  batchEntries: 1000,
  experimentNameLength: 500,
} as const;

/** An id's bounds, shared by the kinds of id (once in every MLflow function's bundle). */
const idBounds = () => [
  z.minLength(1, { error: 'must not be empty' }),
  z.maxLength(64, { error: 'must be at most 64 characters' }),
];

/** A run's or a logged model's id as sent (experiment ids are `mlflowExperimentId`). */
export const mlflowId = z
  .string()
  .check(...idBounds(), z.regex(/^[0-9A-Za-z_-]+$/, { error: 'must be an id (letters, digits, _ and -)' }));

/**
 * An experiment id as MLflow's server takes it. MLflow's ids are integers: one that is not is a
 * 400 INVALID_PARAMETER_VALUE there (mlflow/utils/validation.py, `_parse_experiment_id`), and an
 * integer with no experiment a 404. Stratus's ids are "0" or 32 lowercase hex characters, so those
 * and any integer are looked up (a 404 when not found, as there); anything else is refused here,
 * naming the field, rather than looked up and answered with a 404.
 *
 * MLflow reads the integer with Python's int(), so `00`, `+0`, `-0` and ` 0 ` are its experiment 0,
 * the Default one: an integer is looked up as its canonical decimal here too. (int() also takes
 * `1_0` and other scripts' digits; those stay refused, as no one writes an id so on purpose.)
 */
export const mlflowExperimentId = z.pipe(
  z.string().check(
    ...idBounds(),
    z.regex(/^(?:[ \t\n\r\v\f]*[+-]?\d+[ \t\n\r\v\f]*|[0-9a-f]{32})$/, {
      error: "must be an integer (MLflow's ids) or a Stratus id",
    }),
  ),
  z.transform((id) => {
    const integer = /^\s*([+-]?)0*(\d+?)\s*$/.exec(id);
    if (!integer) return id;
    const [, sign, digits] = integer as unknown as [string, string, string];
    return sign === '-' && digits !== '0' ? `-${digits}` : digits;
  }),
);

// z.int(), not z.number(): the OpenAPI description then says `integer`, as MLflow's int64 means.
const int64 = z.pipe(
  z.union([z.int(), z.string().check(z.regex(/^-?\d+$/, { error: 'must be an integer' }))]),
  z.transform((value) => Number(value)),
);
/**
 * Range refusals worded as MLflow's store words its `max_results` checks: sentences after
 * "supplied." (error-renderer.ts joins a reason that starts with "It " so).
 */
const atLeast = (min: number) =>
  z.gte(min, { error: min === 1 ? 'It must be a positive integer' : `It must be at least ${min}` });
const integer = (min: number, max: number) =>
  documentedAs(z.pipe(int64, z.int().check(atLeast(min), z.lte(max, { error: `It must be at most ${max}` }))), {
    anyOf: [
      { type: 'integer', minimum: min, maximum: max },
      { type: 'string', pattern: '^-?\\d+$' },
    ],
  });
/**
 * A page size as MLflow's server takes it: any positive count, a page of at
 * most `max` (the rest follows with next_page_token, which clients follow).
 */
const pageSize = (max: number) =>
  documentedAs(
    z.pipe(
      int64,
      z.pipe(
        z.int().check(atLeast(1)),
        z.transform((value) => Math.min(value, max)),
      ),
    ),
    {
      anyOf: [
        { type: 'integer', minimum: 1 },
        { type: 'string', pattern: '^\\d+$' },
      ],
    },
  );
const step = z.pipe(int64, z.int().check(z.gte(Number.MIN_SAFE_INTEGER), z.lte(Number.MAX_SAFE_INTEGER)));
const timestamp = z.pipe(int64, timestampSchema);

/** The first `max` UTF-16 units of `value`, one fewer when the last would split a surrogate pair. */
function cutTo(value: string, max: number): string {
  if (value.length <= max) return value;
  const last = value.charCodeAt(max - 1);
  return value.slice(0, last >= 0xd800 && last <= 0xdbff ? max - 1 : max);
}

/**
 * A param's or a run tag's value: left out, it is empty, as on MLflow's server (a proto string's
 * default). Past the limit it is cut to it, as MLflow's server does by default
 * (MLFLOW_TRUNCATE_LONG_VALUES): its client sends long values whole, so a long autologged config
 * would otherwise fail the whole batch. `/api/v1` refuses them instead (400 naming the field).
 */
const runValue = (valueLength: number) =>
  z._default(
    documentedAs(
      z.pipe(
        z.string(),
        z.pipe(
          z.transform((value: string) => cutTo(value, valueLength)),
          freeText(valueLength),
        ),
      ),
      { type: 'string', description: `cut to ${valueLength} characters when longer, as MLflow's server does` },
    ),
    '',
  );
/** `key` is MLflow's name rule where its server checks one (entity-keys.ts), any key where not. */
const runKeyValue = (valueLength: number, key: z.ZodMiniType<string> = keySchema) =>
  z.object({ key, value: runValue(valueLength) });
const runTagList = (max: number, key: z.ZodMiniType<string> = keySchema) =>
  z
    .array(runKeyValue(limits.tagValueLength, key))
    .check(z.maxLength(max, { error: `must have at most ${max} entries` }));
/** Other values are not cut: MLflow's server cuts run params and tags only (a long experiment tag is refused there too). */
const keyValue = (valueLength: number, key: z.ZodMiniType<string> = keySchema) =>
  z.object({ key, value: z._default(freeText(valueLength), '') });
const tagList = (max: number, valueLength: number = limits.tagValueLength, key: z.ZodMiniType<string> = keySchema) =>
  z.array(keyValue(valueLength, key)).check(z.maxLength(max, { error: `must have at most ${max} entries` }));

/**
 * A value of one of MLflow's proto enums whose numbers run from 1 in the order of `names`: its name,
 * or its number as a JSON number or a decimal string, as protobuf's JSON reader takes enums (and so
 * MLflow's server). Answers the name.
 */
function protoEnum<const Names extends readonly [string, ...string[]]>(names: Names) {
  const numbers = names.map((_, index) => index + 1);
  return z.pipe(
    z.union([z.enum(names), z.literal(numbers), z.literal(numbers.map(String))]),
    z.transform((value) => {
      const byNumber = typeof value === 'number' || numbers.map(String).includes(value);
      return (byNumber ? names[Number(value) - 1] : value) as Names[number];
    }),
  );
}

/** MLflow's ViewType: 1 ACTIVE_ONLY, 2 DELETED_ONLY, 3 ALL. */
export const viewType = z._default(protoEnum(viewTypes), 'ACTIVE_ONLY');
const orderBy = z.array(text(500)).check(z.maxLength(10, { error: 'must have at most 10 entries' }));
const pageToken = z.optional(z.string().check(z.maxLength(4096)));

const experimentName = nameSchema;
const runId = z.object({ run_id: z.optional(mlflowId), run_uuid: z.optional(mlflowId) }).check(
  z.refine((body) => body.run_id !== undefined || body.run_uuid !== undefined, {
    error: 'is required',
    path: ['run_id'],
  }),
);
/** MLflow's older field name `run_uuid` is accepted for `run_id`. */
const withRunId = <S extends z.core.$ZodLooseShape>(shape: S) => z.intersection(runId, z.object(shape));

export const createExperimentBody = z.object({
  name: experimentName,
  artifact_location: z.optional(z.string()),
  tags: z.optional(tagList(limits.tagsPerRequest, limits.experimentTagValueLength, mlflowEntityKey)),
});
export const experimentIdQuery = z.object({ experiment_id: mlflowExperimentId });
export const experimentNameQuery = z.object({ experiment_name: experimentName });
export const experimentIdBody = z.object({ experiment_id: mlflowExperimentId });
export const updateExperimentBody = z.object({ experiment_id: mlflowExperimentId, new_name: experimentName });
export const setExperimentTagBody = z.object({
  experiment_id: mlflowExperimentId,
  key: mlflowEntityKey,
  // Left out (or null), the value is empty, as on MLflow's server (a proto string's default).
  value: z._default(freeText(limits.experimentTagValueLength), ''),
});
export const deleteExperimentTagBody = z.object({ experiment_id: mlflowExperimentId, key: keySchema });

const searchExperimentsFields = {
  max_results: z._default(integer(1, mlflowLimits.searchExperimentsMax), mlflowLimits.searchExperimentsDefault),
  page_token: pageToken,
  filter: z.optional(freeText(2000)),
  view_type: viewType,
};
export const searchExperimentsBody = z.object({ ...searchExperimentsFields, order_by: z.optional(orderBy) });
export const searchExperimentsQuery = z.object({
  ...searchExperimentsFields,
  // A GET query carries one order key per parameter; API Gateway joins repeats with commas.
  order_by: z.optional(text(500)),
});

/**
 * A run's name as MLflow's server reads it: an empty one is no name (a proto string's default), so
 * a new run gets a generated name and an update leaves the name as it was.
 */
const runName = z.optional(
  z.union([
    z.pipe(
      z.literal(''),
      z.transform(() => undefined),
    ),
    nameSchema,
  ]),
);

export const createRunBody = z.object({
  // Required, as by MLflow's server; the client sends "0" (Default) when no experiment is set.
  experiment_id: mlflowExperimentId,
  user_id: z.optional(text(256)),
  run_name: runName,
  start_time: z.optional(timestamp),
  tags: z.optional(runTagList(limits.tagsPerRequest)),
});
export const runIdQuery = z.object({ run_id: z.optional(mlflowId), run_uuid: z.optional(mlflowId) });
export const runIdBody = withRunId({});
const runStatusNames = ['RUNNING', 'SCHEDULED', 'FINISHED', 'FAILED', 'KILLED'] as const;
/**
 * A run status as MLflow's server takes it: its name, or its number in MLflow's proto enum
 * (RunStatus: 1 RUNNING to 5 KILLED), as a JSON number or a decimal string, as protobuf's JSON
 * reader takes enums. A name MLflow does not know is ignored there (the status stays as it was,
 * with a 200); here it is a 400 naming `status`, since a script sending `"finished"` means to end
 * the run and should hear that it did not.
 */
const runStatus = protoEnum(runStatusNames);
export const updateRunBody = withRunId({
  status: z.optional(runStatus),
  end_time: z.optional(timestamp),
  run_name: runName,
});

const metricFields = {
  key: mlflowEntityKey,
  value: mlflowMetricValue,
  // Required, as on MLflow's server: its clients always send one (log_metric stamps the current
  // time), so a point without one comes from a script whose mistake it should hear of.
  timestamp,
  step: z.optional(step),
  // MLflow 3: the point also belongs to a logged model, measured on a dataset.
  model_id: z.optional(mlflowId),
  dataset_name: z.optional(text(500)),
  dataset_digest: z.optional(text(64)),
};
export const logMetricBody = withRunId(metricFields);
export const logParamBody = withRunId({ key: mlflowEntityKey, value: runValue(limits.paramValueLength) });
export const setTagBody = withRunId({ key: mlflowEntityKey, value: runValue(limits.tagValueLength) });
export const deleteTagBody = withRunId({ key: keySchema });
export const logBatchBody = withRunId({
  metrics: z.optional(
    z
      .array(z.object(metricFields))
      .check(
        z.maxLength(mlflowLimits.batchMetrics, { error: `must have at most ${mlflowLimits.batchMetrics} entries` }),
      ),
  ),
  params: z.optional(
    z.array(runKeyValue(limits.paramValueLength, mlflowEntityKey)).check(
      z.maxLength(mlflowLimits.batchParamsAndTags, {
        error: `must have at most ${mlflowLimits.batchParamsAndTags} entries`,
      }),
    ),
  ),
  tags: z.optional(runTagList(mlflowLimits.batchParamsAndTags, mlflowEntityKey)),
});

const datasetInput = z.object({
  tags: z.optional(tagList(20)),
  dataset: z.object({
    name: text(500),
    digest: text(36),
    source_type: text(100),
    source: freeText(65_535),
    schema: z.optional(freeText(100_000)),
    profile: z.optional(freeText(100_000)),
  }),
});
export const logInputsBody = withRunId({
  datasets: z.optional(z.array(datasetInput).check(z.maxLength(100, { error: 'must have at most 100 entries' }))),
  models: z.optional(z.array(z.object({ model_id: mlflowId })).check(z.maxLength(100))),
});
export const logOutputsBody = withRunId({
  models: z.array(z.object({ model_id: mlflowId, step: z.optional(step) })).check(z.maxLength(100)),
});

export const searchRunsBody = z.object({
  // None (the client leaves an empty list out) is a search of nothing, as on MLflow's server.
  experiment_ids: z._default(
    z
      .array(mlflowExperimentId)
      .check(z.maxLength(limits.searchExperiments, { error: `must have at most ${limits.searchExperiments} entries` })),
    [],
  ),
  filter: z.optional(freeText(searchLimits.filterLength)),
  run_view_type: viewType,
  max_results: z._default(integer(1, mlflowLimits.searchRunsMax), mlflowLimits.searchRunsDefault),
  order_by: z.optional(orderBy),
  page_token: pageToken,
});

export const metricHistoryQuery = z.object({
  run_id: z.optional(mlflowId),
  run_uuid: z.optional(mlflowId),
  metric_key: keySchema,
  page_token: pageToken,
  max_results: z._default(pageSize(mlflowLimits.historyPage), mlflowLimits.historyPage),
});
/** The step range in order, refused in MLflow's server's words (its REST test looks for them). */
const mlflowStepRangeInOrder = z.refine<{ start_step?: number | undefined; end_step?: number | undefined }>(
  (query) => query.start_step === undefined || query.end_step === undefined || query.start_step <= query.end_step,
  {
    error: ({ input }) => {
      const range = input as { start_step?: number; end_step?: number };
      return `end_step must be greater than start_step. Found start_step=${range.start_step} and end_step=${range.end_step}.`;
    },
    path: ['start_step'],
  },
);

export const bulkIntervalQuery = z
  .object({
    // API Gateway joins a repeated query parameter's values with commas; each one is a run id.
    run_ids: z.string().check(
      z.minLength(1, { error: 'must name at least one run' }),
      z.refine((value) => value.split(',').every((id) => id === '' || mlflowId.safeParse(id).success), {
        error: 'must be run ids (letters, digits, _ and -, at most 64 each) separated by commas',
      }),
    ),
    metric_key: keySchema,
    start_step: z.optional(step),
    end_step: z.optional(step),
    max_results: z._default(integer(1, mlflowLimits.bulkIntervalMaxResults), mlflowLimits.bulkIntervalMaxResults),
  })
  .check(mlflowStepRangeInOrder);

export const listArtifactsQuery = z.object({
  run_id: z.optional(mlflowId),
  run_uuid: z.optional(mlflowId),
  // A folder of the run's artifacts: bounded as artifact paths are, in bytes (it prefixes a key).
  path: z.optional(z.string().check(z.maxLength(artifactLimits.pathBytes), maxUtf8Bytes(artifactLimits.pathBytes))),
  page_token: pageToken,
});

/** MLflow's `/get-artifact`: one file of a run, by its path under the run's artifact root. */
export const getArtifactQuery = z.object({
  run_id: z.optional(mlflowId),
  run_uuid: z.optional(mlflowId),
  path: z.string().check(z.maxLength(artifactLimits.pathBytes), maxUtf8Bytes(artifactLimits.pathBytes)),
});

/** `/mlflow-artifacts/...`: the artifact's path after `artifacts/`, `mpu/create/` etc. */
export const artifactPathParameter = z.object({ artifact_path: z.string().check(z.maxLength(2048)) });
export const artifactListQuery = z.object({ path: z.optional(z.string().check(z.maxLength(2048))) });
export const createMultipartBody = z.object({
  path: z.optional(z.string()),
  num_parts: integer(1, 10_000),
});
export const completeMultipartBody = z.object({
  path: z.optional(z.string()),
  upload_id: z.string().check(z.minLength(1), z.maxLength(1024)),
  parts: z
    .array(
      z.object({
        part_number: integer(1, 10_000),
        etag: z.string().check(z.maxLength(256)),
        url: z.optional(z.string()),
      }),
    )
    .check(z.minLength(1, { error: 'must list the uploaded parts' }), z.maxLength(10_000)),
});
export const abortMultipartBody = z.object({
  path: z.optional(z.string()),
  upload_id: z.string().check(z.minLength(1), z.maxLength(1024)),
});

export const loggedModelIdPath = z.object({ model_id: mlflowId });
export const loggedModelTagPath = z.object({ model_id: mlflowId, tag_key: keySchema });
export const createLoggedModelBody = z.object({
  experiment_id: mlflowExperimentId,
  name: z.optional(nameSchema),
  model_type: z.optional(text(250)),
  source_run_id: z.optional(mlflowId),
  params: z.optional(z.array(keyValue(limits.paramValueLength)).check(z.maxLength(limits.paramsPerRequest))),
  tags: z.optional(tagList(limits.tagsPerRequest)),
});
/**
 * LoggedModelStatus by name or number (1 PENDING to 3 UPLOAD_FAILED), as MLflow's server takes it. Anything
 * else, and 0 (UNSPECIFIED), is a 400 naming `status`; MLflow's server stores it as UNSPECIFIED.
 */
export const finalizeLoggedModelBody = z.object({
  model_id: z.optional(mlflowId),
  status: protoEnum(['LOGGED_MODEL_PENDING', 'LOGGED_MODEL_READY', 'LOGGED_MODEL_UPLOAD_FAILED']),
});
export const setLoggedModelTagsBody = z.object({ tags: tagList(limits.tagsPerRequest) });
export const logLoggedModelParamsBody = z.object({
  params: z.array(keyValue(limits.paramValueLength)).check(z.maxLength(limits.paramsPerRequest)),
});
export const searchLoggedModelsBody = z.object({
  experiment_ids: z
    .array(mlflowExperimentId)
    .check(z.minLength(1, { error: 'must name at least one experiment' }), z.maxLength(20)),
  filter: z.optional(freeText(2000)),
  datasets: z.optional(
    z.array(z.object({ dataset_name: text(500), dataset_digest: z.optional(text(64)) })).check(z.maxLength(20)),
  ),
  /**
   * As MLflow's server reads it (`max_results or 100`, then SQL `LIMIT max_results + 1`): 0 is
   * proto3's unset, the default page, and one below 0 finds nothing (handlers/get-logged-model.ts).
   */
  max_results: z._default(integer(Number.MIN_SAFE_INTEGER, 1000), 0),
  order_by: z.optional(
    z
      .array(
        z.object({
          field_name: text(250),
          ascending: z.optional(z.boolean()),
          dataset_name: z.optional(text(500)),
          dataset_digest: z.optional(text(64)),
        }),
      )
      .check(z.maxLength(10)),
  ),
  page_token: pageToken,
});

/** Responses are documented loosely: MLflow's own objects, rendered by views.ts. */
export const mlflowObject = z.record(z.string(), z.unknown());

/** A page of MLflow objects: its token is one of ours (sealed, see shared/storage/cursor.ts). */
export const mlflowPage = z.looseObject({ next_page_token: z.optional(z.string()) });
