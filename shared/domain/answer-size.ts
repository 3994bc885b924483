/**
 * What an answer takes in a function's response payload, which Lambda bounds at 6 MB. The payload
 * is the result's JSON with the answer's JSON inside it as a string, so every character of the
 * answer is escaped twice: a `"` or `\` takes 4 bytes there, a tab 3, a `€` 3.
 *
 * Lists cut their pages on `answerBytesBound` of the stored entries, before a view is made of them:
 * it holds for any view of an entry, in either dialect (MLflow's `{"key": …, "value": …}` lists
 * take about 30 bytes an entry besides the text, its metrics repeat the run and model ids).
 */
import { limits } from '../limits.ts';

/** Lambda's limit on a synchronous function's response payload (result JSON, body as a string in it). */
export const lambdaResponsePayloadBytes = 6 * 1024 * 1024;

/**
 * What a request body takes in the function's event, where API Gateway puts it as base64 or as its
 * text escaped as a JSON string (a `"` or `\` 2 bytes), by its type: the larger of the two, so that
 * a body within the bound reaches the function either way.
 */
export const bodyEventBytes = (body: Buffer): number =>
  Math.max(4 * Math.ceil(body.length / 3), Buffer.byteLength(JSON.stringify(body.toString('utf8'))) - 2);

/** Bytes a view adds per entry of a map or list (field names, quotes, braces), escaped, and per number. */
const entryBytes = 64;
const scalarBytes = 24;
/**
 * The fields a view adds to a stored entry (URIs built from ids, states, a version's model name of
 * up to 250 characters): counted once per listed entry.
 */
export const entityViewBytes = 1024;

/** An upper bound on the payload bytes of any view of `value`: strings escaped twice (4 bytes a UTF-8 byte). */
export function answerBytesBound(value: unknown): number {
  if (typeof value === 'string') return 4 * Buffer.byteLength(value, 'utf8') + 8;
  if (value === null || typeof value !== 'object') return scalarBytes;
  if (value instanceof Uint8Array) return 4 * value.byteLength;
  let bytes = 8;
  if (value instanceof Set || Array.isArray(value)) {
    for (const element of value) bytes += entryBytes + answerBytesBound(element);
    return bytes;
  }
  const entries = value instanceof Map ? value.entries() : Object.entries(value);
  for (const [key, element] of entries) bytes += entryBytes + answerBytesBound(key) + answerBytesBound(element);
  return bytes;
}

/**
 * The payload bytes of one string of an answer, quotes included: exact, and cheap for the usual
 * text (printable ASCII with no `"` or `\`, which neither escape changes). For answers cut cell by
 * cell (a comparison's columns), where `answerBytesBound`'s four bytes a character would cut
 * ordinary keys several times too early.
 */
export const textPayloadBytes = (text: string): number =>
  plainText.test(text) ? text.length + 4 : Buffer.byteLength(JSON.stringify(JSON.stringify(text))) - 2;

const plainText = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

/** An entry's bound on a list page: its fields and what a view adds to it. */
export const listedEntryBytes = (entry: unknown) => entityViewBytes + answerBytesBound(entry);

/** The payload bytes of an answer as sent: its JSON, escaped again as the body's string. */
export const answerPayloadBytes = (answer: unknown) => Buffer.byteLength(JSON.stringify(JSON.stringify(answer)));

/**
 * How many of `entries`, from the first, a page of at most `limit` takes: it ends before their bounds
 * pass `limits.answerBytes` (always with one entry, which a single answer bounds on its own).
 */
export function fittingEntries<T>(entries: readonly T[], limit: number, bytesOf: (entry: T) => number): number {
  let bytes = 0;
  const most = Math.min(limit, entries.length);
  for (let index = 0; index < most; index++) {
    bytes += bytesOf(entries[index] as T);
    if (bytes > limits.answerBytes && index > 0) return index;
  }
  return most;
}
