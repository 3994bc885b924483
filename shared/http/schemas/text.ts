import * as z from 'zod/mini';
import '../../zod-messages.ts';
import { limits } from '../../limits.ts';

/**
 * The building blocks of every request schema: bounded text, keys, names, ids,
 * tag maps, integers and timestamps. Each check names what is wrong, and the
 * handler factory prefixes the field's path.
 */

/**
 * Rules are written as patterns where a pattern can say them, so that the
 * OpenAPI description (generated from these schemas) carries them too: a client
 * generated from it, or a fuzzer, then knows what a valid value is.
 */
// Rejecting control characters is the point of these patterns.
const noControlCharacters = /^[^\u0000-\u001f\u007f]*$/;
const noControlCharactersButTabsAndLineBreaks = /^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]*$/;

const boundedText = (max: number, pattern: RegExp, patternError: string) =>
  z.string().check(
    z.maxLength(max, { error: `must be at most ${max} characters` }),
    z.regex(pattern, { error: patternError }),
    // A lone UTF-16 surrogate has no UTF-8 form: it could not be stored as sent.
    z.refine((value) => value.isWellFormed(), { error: 'must be valid Unicode (no lone surrogates)' }),
  );

/** One line of text: names, keys, identifiers, paths. */
export const text = (max: number) => boundedText(max, noControlCharacters, 'must not contain control characters');

/**
 * Text people write, which may span lines: descriptions and notes, tag and
 * param values (a multi-line command, a config dump), filters written over
 * several lines. Tabs and line breaks are kept; other control characters are
 * refused as in `text`.
 */
export const freeText = (max: number) =>
  boundedText(
    max,
    noControlCharactersButTabsAndLineBreaks,
    'must not contain control characters other than tabs and line breaks',
  );

/**
 * A bound in bytes of UTF-8, for text that becomes part of a DynamoDB key (a
 * sort key holds at most 1,024 bytes, a partition key 2,048): a bound counted
 * in characters lets 4-byte characters past it, and DynamoDB then refuses the
 * request, which would surface as a 500 instead of a 400 naming the field.
 */
export const maxUtf8Bytes = (max: number) =>
  z.refine<string>((value) => Buffer.byteLength(value, 'utf8') <= max, {
    error: `must be at most ${max} bytes of UTF-8`,
  });

export const nonEmptyText = (max: number) => text(max).check(z.regex(/\S/, { error: 'must not be empty' }));

/**
 * A tag, param or metric key. `__proto__` is refused: JSON parsers, DynamoDB's
 * marshaller and most JavaScript code treat it as the object's prototype rather
 * than a key, so it could not round-trip. Every other name (`constructor`,
 * `toString`...) is an ordinary key.
 */
export const keySchema = nonEmptyText(limits.keyLength).check(
  z.regex(/^(?!__proto__$)/, { error: 'must not be __proto__' }),
);

/**
 * What a path normaliser makes of `name` (Python's `posixpath.normpath`, which MLflow's server
 * applies): `.` and empty segments dropped, `..` taking the segment before it.
 */
export function normalisedPath(name: string): string {
  const leadingSlashes = name.startsWith('//') && !name.startsWith('///') ? 2 : name.startsWith('/') ? 1 : 0;
  const segments: string[] = [];
  for (const segment of name.split('/')) {
    if (segment === '' || segment === '.') continue;
    const last = segments[segments.length - 1];
    if (segment !== '..' || (leadingSlashes === 0 && last === undefined) || last === '..') segments.push(segment);
    else if (last !== undefined) segments.pop();
  }
  return '/'.repeat(leadingSlashes) + segments.join('/') || '.';
}

/**
 * A key that reads as itself when taken for a path: no empty, `.` or `..` segment, no leading or
 * trailing `/`, not starting with `..`. MLflow's server refuses any other key
 * (mlflow/utils/validation.py, `path_not_unique`: `a/../b`, `./a`, `a//b`, `a/`, `/a`, `..a`),
 * since its file store and artifact tools treat keys as paths, where two spellings of one name
 * would be one metric. A pattern, so the OpenAPI description carries it.
 */
export const pathSafeKey = /^(?!\/|\.\.)(?!.*\/\/)(?!.*\/$)(?!(?:.*\/)?\.\.?(?:\/|$))/;

/** Why `pathSafeKey` refuses `key`, in the words of `dialect` (MLflow's own, or `/api/v1`'s). */
export function pathUnsafeReason(key: string, dialect: 'mlflow' | 'v1'): string {
  const normal = normalisedPath(key);
  if (dialect === 'mlflow') {
    return `Names may be treated as files in certain cases, and must not resolve to other names when treated as such. This name would resolve to '${normal}'`;
  }
  return normal === key
    ? "must not be '.' or start with '..' or '/'"
    : `must read as itself as a path, not as '${normal}'`;
}

/**
 * A key being written (a tag, param or metric key): a key that is also `pathSafeKey`. Reads and
 * deletes take any `keySchema` key, so what was written before this rule stays reachable.
 */
export const writtenKeySchema = keySchema.check(
  z.regex(pathSafeKey, { error: ({ input }) => pathUnsafeReason(input as string, 'v1') }),
);
export const nameSchema = nonEmptyText(limits.nameLength);
export const idSchema = z.string().check(z.regex(/^[0-9a-f]{32}$/, { error: 'must be 32 lowercase hex characters' }));

/** A map being written: its keys are `writtenKeySchema`'s. */
export const boundedRecord = <V extends z.ZodMiniType>(value: V, maxEntries: number) =>
  z.record(writtenKeySchema, value).check(
    z.refine((record) => Object.keys(record).length <= maxEntries, {
      error: `must have at most ${maxEntries} entries`,
    }),
  );

export const tagsSchema = boundedRecord(freeText(limits.tagValueLength), limits.tagsPerRequest);
export const experimentTagsSchema = boundedRecord(freeText(limits.experimentTagValueLength), limits.tagsPerRequest);

/**
 * Free-form JSON kept as sent (a pipeline's config, a model version's metadata): an object of at
 * most `maxDepth` levels of objects and arrays (the object itself is the first) whose JSON is at
 * most `maxBytes` bytes of UTF-8. The depth is checked first, by a walk that keeps its own stack
 * and stops at the first level too deep: a 1 MiB body holds 250,000 levels or a 500,000-element
 * array, which a recursive walk, `Math.max(...values)` or `JSON.stringify` turns into a
 * RangeError, a 500 instead of a 400 naming the field.
 */
export const boundedJsonObject = (maxBytes: number, maxDepth: number) =>
  z.record(z.string(), z.unknown()).check(
    z.refine((value) => jsonDepthAtMost(value, maxDepth), {
      error: `must nest at most ${maxDepth} levels`,
      abort: true,
    }),
    z.refine((value) => Buffer.byteLength(JSON.stringify(value)) <= maxBytes, {
      error: `must serialise to at most ${maxBytes} bytes`,
    }),
  );

/** Whether `value` nests objects and arrays at most `maxDepth` levels deep (a scalar is 0, `{}` is 1). */
export function jsonDepthAtMost(value: unknown, maxDepth: number): boolean {
  const pending: Array<[unknown, number]> = [[value, 0]];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const [node, depth] = next;
    if (typeof node !== 'object' || node === null) continue;
    if (depth + 1 > maxDepth) return false;
    for (const item of Object.values(node)) pending.push([item, depth + 1]);
  }
  return true;
}

export const safeInteger = z.int().check(z.gte(Number.MIN_SAFE_INTEGER), z.lte(Number.MAX_SAFE_INTEGER));

/**
 * The largest step a point is written at, either way: 2^52 − 1. A key keeps the width of its step
 * range (highest less lowest step) and the start of the 512-step block its lowest step is in, and
 * both have to be safe integers as well: at ±(2^53 − 1) they were not, and such a point was a 500.
 * Reads take any safe-integer step range.
 */
export const MAX_WRITTEN_STEP = 2 ** 52 - 1;
const writtenStepError = `must be an integer within ±${MAX_WRITTEN_STEP} (2^52 − 1)`;
export const writtenStep = z
  .int()
  .check(z.gte(-MAX_WRITTEN_STEP, { error: writtenStepError }), z.lte(MAX_WRITTEN_STEP, { error: writtenStepError }));
export const timestampSchema = z.int().check(z.gte(0), z.lte(8_640_000_000_000_000));

/**
 * A time a client records on `/api/v1` (a run's `end_time`, a metric point's `timestamp`): epoch
 * milliseconds from 1970 to the end of year 9999, the years Python's datetime, ISO 8601 and a
 * spreadsheet can show. Past it, the Python SDK, the CLI and `stratus export` could not show the
 * run at all; and it is where a time sent in microseconds or nanoseconds by mistake lands
 * (year 55,000), which is refused naming the field rather than stored.
 */
export const recordedTimeSchema = z.int().check(
  z.gte(0, { error: 'must be epoch milliseconds, not before 1970' }),
  z.lte(253_402_300_799_999, {
    error: 'must be epoch milliseconds up to the end of year 9999 (is it in microseconds or nanoseconds?)',
  }),
);

/**
 * A page size query parameter of /api/v1: decimal digits for an integer in 1..max, `fallback` when
 * absent. Coerced as a JavaScript number, `1e1` was 10 and `0x10` 16; now each is a 400 naming it.
 * (MLflow's API has page sizes of its own, mlflow/fields.ts, coerced as before.)
 */
export const pageSize = (max: number, fallback: number) =>
  documentedAs(
    z._default(
      z.pipe(
        z.pipe(
          z.string().check(z.regex(/^\d{1,9}$/, { error: 'must be a whole number in decimal digits' })),
          z.transform(Number),
        ),
        z.int().check(z.gte(1), z.lte(max)),
      ),
      fallback,
    ),
    { type: 'integer', minimum: 1, maximum: max },
  );

export const pageToken = z.optional(z.string().check(z.maxLength(2048)));

/**
 * A step range given as `start_step`/`end_step` (either may be absent): a
 * reversed one is a 400 naming both, rather than a query DynamoDB refuses.
 */
export const stepRangeInOrder = z.refine<{ start_step?: number | undefined; end_step?: number | undefined }>(
  (query) => query.start_step === undefined || query.end_step === undefined || query.start_step <= query.end_step,
  { error: 'must not be greater than end_step', path: ['start_step'] },
);

/**
 * Describes, for the OpenAPI description, a rule that is checked by code (a
 * superRefine) rather than by zod's own checks: the JSON Schema keywords given
 * here are merged into the generated schema. Keep them equal to the code's rule.
 */
export function documentedAs<S extends z.ZodMiniType>(schema: S, jsonSchema: Record<string, unknown>): S {
  z.globalRegistry.add(schema, jsonSchema);
  return schema;
}
