import * as z from 'zod/mini';
import '../../zod-messages.ts';
import { viewTypes } from '../../domain/types.ts';
import { limits } from '../../limits.ts';
import { documentedAs, freeText, keySchema, nameSchema, text, timestampSchema, writtenStep } from '../schemas/text.ts';

/**
 * MLflow's request shapes (mlflow/protos/service.proto) are validated at the edge
 * like every other route: a 400 `INVALID_PARAMETER_VALUE` whose message names the
 * field. Objects are not strict: MLflow's server ignores fields it does not know,
 * and newer clients send some (e.g. `run_uuid` beside `run_id`).
 *
 * Numbers come as JSON numbers in bodies and as decimal strings in GET queries;
 * both are accepted where MLflow declares an int64.
 *
 * This module holds the fields the shapes are built of (ids, int64s, values cut as
 * MLflow's server cuts them, proto enums); the shapes live by area
 * (experiment-, run-, artifact-, logged-model- and registry-schemas.ts), because a
 * zod schema built at the top of a module stays in every bundle importing it, and a
 * function should carry its own area's shapes only.
 */

/** MLflow's limits (mlflow/utils/validation.py and mlflow/store/tracking/__init__.py). */
export const mlflowLimits = {
  searchRunsDefault: 1000,
  searchRunsMax: 50_000,
  searchExperimentsDefault: 1000,
  searchExperimentsMax: 50_000,
  historyPage: 25_000,
  bulkIntervalMaxResults: 2500,
  /** Runs one bulk history request (get-history-bulk, get-history-bulk-interval) may name. */
  bulkHistoryRuns: 100,
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
export const idBounds = () => [
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
export const int64 = z.pipe(
  z.union([z.int(), z.string().check(z.regex(/^-?\d+$/, { error: 'must be an integer' }))]),
  z.transform((value) => Number(value)),
);
/**
 * Range refusals worded as MLflow's store words its `max_results` checks: sentences after
 * "supplied." (error-renderer.ts joins a reason that starts with "It " so).
 */
export const atLeast = (min: number) =>
  z.gte(min, { error: min === 1 ? 'It must be a positive integer' : `It must be at least ${min}` });
export const integer = (min: number, max: number) =>
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
export const pageSize = (max: number) =>
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
export const step = z.pipe(int64, z.int().check(z.gte(Number.MIN_SAFE_INTEGER), z.lte(Number.MAX_SAFE_INTEGER)));
/** A step a point is written at (schemas/text.ts, `writtenStep`: a narrower range than a read's). */
export const writtenStepField = z.pipe(int64, writtenStep);
export const timestamp = z.pipe(int64, timestampSchema);

/** The first `max` UTF-16 units of `value`, one fewer when the last would split a surrogate pair. */
export function cutTo(value: string, max: number): string {
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
export const runValue = (valueLength: number) =>
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
export const runKeyValue = (valueLength: number, key: z.ZodMiniType<string> = keySchema) =>
  z.object({ key, value: runValue(valueLength) });
export const runTagList = (max: number, key: z.ZodMiniType<string> = keySchema) =>
  z
    .array(runKeyValue(limits.tagValueLength, key))
    .check(z.maxLength(max, { error: `must have at most ${max} entries` }));
/** Other values are not cut: MLflow's server cuts run params and tags only (a long experiment tag is refused there too). */
export const keyValue = (valueLength: number, key: z.ZodMiniType<string> = keySchema) =>
  z.object({ key, value: z._default(freeText(valueLength), '') });
export const tagList = (
  max: number,
  valueLength: number = limits.tagValueLength,
  key: z.ZodMiniType<string> = keySchema,
) => z.array(keyValue(valueLength, key)).check(z.maxLength(max, { error: `must have at most ${max} entries` }));

/**
 * A value of one of MLflow's proto enums whose numbers run from 1 in the order of `names`: its name,
 * or its number as a JSON number or a decimal string, as protobuf's JSON reader takes enums (and so
 * MLflow's server). Answers the name.
 */
export function protoEnum<const Names extends readonly [string, ...string[]]>(names: Names) {
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
export const orderBy = z.array(text(500)).check(z.maxLength(10, { error: 'must have at most 10 entries' }));
/**
 * A page token of MLflow's API. Proto3 has no unset string, so an empty one is the first page, as
 * MLflow's server reads it (a hand-written client or a form may send `page_token=` for "from the start").
 */
export const pageToken = documentedAs(
  z.optional(
    z.pipe(
      z.string().check(z.maxLength(4096)),
      z.transform((token) => (token === '' ? undefined : token)),
    ),
  ),
  { type: 'string', maxLength: 4096 },
);

export const experimentName = nameSchema;
export const runId = z.object({ run_id: z.optional(mlflowId), run_uuid: z.optional(mlflowId) }).check(
  z.refine((body) => body.run_id !== undefined || body.run_uuid !== undefined, {
    error: 'is required',
    path: ['run_id'],
  }),
);
/** MLflow's older field name `run_uuid` is accepted for `run_id`. */
export const withRunId = <S extends z.core.$ZodLooseShape>(shape: S) => z.intersection(runId, z.object(shape));

/** Responses are documented loosely: MLflow's own objects, rendered by views.ts. */
export const mlflowObject = z.record(z.string(), z.unknown());

/** A page of MLflow objects: its token is one of ours (sealed, see shared/storage/cursor.ts). */
export const mlflowPage = z.looseObject({ next_page_token: z.optional(z.string()) });
