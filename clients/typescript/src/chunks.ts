/**
 * Entries (params, tags) split into requests the service takes: at most its count a request, and within
 * its request body bound as this client sends the body (JSON.stringify: UTF-8, a `"` 2 bytes), so 100
 * params of 6,000 four-byte characters go in several requests rather than one the service refuses (413).
 */

/** A request's entries keep under this: within the service's body bound (about 4.5 MB; 1 MiB before). */
export const ENTRY_BYTES_PER_REQUEST = 960 * 1024;

/** What an entry adds to a body: `"key":"value",`. */
const entryBytes = (key: string, value: string) =>
  Buffer.byteLength(JSON.stringify(key)) + Buffer.byteLength(JSON.stringify(value)) + 2;

/** Consecutive slices of `entries`, each of at most `perRequest` entries and `budget` bytes (one entry at least). */
export function* chunks(
  entries: ReadonlyArray<readonly [string, string]>,
  perRequest: number,
  budget = ENTRY_BYTES_PER_REQUEST,
): Generator<Record<string, string>> {
  let chunk: Record<string, string> = Object.create(null);
  let count = 0;
  let size = 0;
  for (const [key, value] of entries) {
    const cost = entryBytes(key, value);
    if (count > 0 && (count >= perRequest || size + cost > budget)) {
      yield chunk;
      chunk = Object.create(null);
      count = 0;
      size = 0;
    }
    chunk[key] = value;
    count++;
    size += cost;
  }
  if (count > 0) yield chunk;
}
