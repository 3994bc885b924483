import { expect, test } from 'vitest';
import fc from '../support/fast-check.ts';
import {
  holdsParamDigest,
  matchParamBucket,
  paramBucketEntries,
  paramBucketValue,
  paramDigest,
  wantedDigests,
} from '../../shared/storage/run-items.ts';

/**
 * Search matches bucket rows in place (matchParamBucket) rather than through
 * paramBucketEntries' arrays: both must say the same about any row, including
 * runs marked `all`, several attributes of one run, and attributes that are
 * not a run's. Values are decoded the way the SDK hands them over: views into
 * a larger buffer, at an offset.
 */
const asReceived = (bytes: Uint8Array) => {
  const pool = new Uint8Array(bytes.byteLength + 13);
  pool.set(bytes, 7);
  return pool.subarray(7, 7 + bytes.byteLength);
};

const runId = fc.uint8Array({ minLength: 16, maxLength: 16 }).map((bytes) => Buffer.from(bytes).toString('hex'));
const params = fc.array(fc.tuple(fc.constantFrom('a', 'b', 'c'), fc.constantFrom('1', '2', '3', '4')), {
  maxLength: 6,
});
const attribute = fc.record({
  name: fc.oneof(
    fc.constantFrom('0', '3', '7'),
    fc.constantFrom('5Ab-_xyz', '0zzzzzzzz'),
    fc.constantFrom('8', 'b', 'x'),
  ),
  runId,
  params: fc.option(params, { nil: undefined }),
});
const clause = fc.array(fc.tuple(fc.constantFrom('a', 'b', 'c'), fc.constantFrom('1', '2', '3', '4')), {
  minLength: 1,
  maxLength: 3,
});

test('matchParamBucket finds what paramBucketEntries says, clause by clause', () => {
  fc.assert(
    fc.property(
      fc.array(attribute, { maxLength: 10 }),
      fc.array(clause, { minLength: 1, maxLength: 3 }),
      (attributes, clauses) => {
        const row: Record<string, unknown> = { pk: 'p', sk: '#0000000001', type: 'ParamRow' };
        for (const { name, runId: id, params: ps } of attributes) row[name] = asReceived(paramBucketValue(id, ps));
        const wanted = clauses.map((pairs) => new Set(pairs.map(([key, value]) => paramDigest(key, value))));
        const expected = wanted.map((digests) =>
          paramBucketEntries(row)
            .filter((entry) => entry.digests === 'all' || entry.digests.some((digest) => digests.has(digest)))
            .map((entry) => entry.runId)
            .sort(),
        );
        // Both forms a clause's digests take (wantedDigests: an array for a few, a set for many).
        for (const form of [wanted.map((digests) => wantedDigests(digests)), wanted]) {
          const found: string[][] = wanted.map(() => []);
          matchParamBucket(row, form, (id, i) => found[i]?.push(id));
          expect(found.map((ids) => [...ids].sort())).toEqual(expected);
        }
      },
    ),
    { numRuns: 300 },
  );
});

test('holdsParamDigest reads big-endian digests from the offset on, the top bit included', () => {
  const bytes = asReceived(Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0x80, 0, 0, 1, 0x12, 0x34, 0x56, 0x78));
  expect(holdsParamDigest(bytes, 4, new Set([0x80000001]))).toBe(true);
  expect(holdsParamDigest(bytes, 4, new Set([0x12345678]))).toBe(true);
  expect(holdsParamDigest(bytes, 4, new Set([0xffffffff]))).toBe(false);
  expect(holdsParamDigest(bytes, 0, new Set([0xffffffff]))).toBe(true);
  expect(holdsParamDigest(bytes.subarray(0, 11), 8, new Set([0x12345678]))).toBe(false);
  expect(holdsParamDigest(bytes, 4, wantedDigests([7, 0x12345678]))).toBe(true);
  expect(holdsParamDigest(bytes, 4, wantedDigests([7, 0xffffffff]))).toBe(false);
  const many = wantedDigests(Array.from({ length: 20 }, (_, i) => i + 0x12345670));
  expect(many).toBeInstanceOf(Set);
  expect(holdsParamDigest(bytes, 4, many)).toBe(true);
});
