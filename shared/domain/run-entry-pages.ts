/**
 * A run's params and tags in pages. A run may hold any number of params and 200 tags of 8,000
 * characters: read whole, a full run answers more than a function may (Lambda's 6 MB response).
 * So every answer that carries a run carries the first page of each, in key order, with
 * `params_truncated` / `tags_truncated` when there are more, and `GET /api/v1/runs/{id}/params`
 * and `/tags` serve them all in pages (shared/use-cases/run-entries.ts).
 *
 * A page ends before `runEntriesPageBytes` of the function's response payload (always with at
 * least one entry). The payload is the answer's JSON inside the Lambda result's JSON, so a
 * character is counted escaped twice: a `"` takes 4 bytes there, a `€` 3.
 *
 * (The run's answer carries a flag, not a page token: tokens are sealed with the deployment's
 * secret, which every function that answers a run would then have to read.)
 */

/**
 * What one page may take (README, "Limits"). With the rest of a run at its limits (1,000 metric
 * keys, the pipeline, 1,000 artifact records), a run's answer stays under 5 MB however its params
 * and tags are filled. (Not in limits.ts: that object is in every function's bundle.)
 */
export const runEntriesPageBytes = 1_048_576;

export interface RunEntryPage {
  /** A null-prototype record: keys are the user's. */
  entries: Record<string, string>;
  /** The page's last key when more entries follow it. */
  more: string | undefined;
}

/** The page of `all` after the key `after` (from the first key without one), of at most `limit` entries. */
export function runEntryPage(all: Readonly<Record<string, string>>, after?: string, limit = Infinity): RunEntryPage {
  const entries: Record<string, string> = Object.create(null);
  let bytes = 0;
  let last: string | undefined;
  for (const key of Object.keys(all).sort()) {
    // (Without `after`, `key <= undefined` is false for every key.)
    if (key <= (after as string)) continue;
    bytes += payloadBytes([key, all[key]]);
    if (last !== undefined && (bytes > runEntriesPageBytes || --limit < 1)) return { entries, more: last };
    entries[key] = all[key] as string;
    last = key;
  }
  return { entries, more: undefined };
}

/** About the bytes a value takes in a Lambda response payload: its JSON, escaped again as the body's string. */
const payloadBytes = (value: unknown) => Buffer.byteLength(JSON.stringify(JSON.stringify(value)));
