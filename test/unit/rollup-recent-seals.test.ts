import { describe, expect, test } from 'vitest';
import { decodeRecentSeals, encodeRecentSeals, ROLLUP_BLOCK_STEPS } from '../../shared/domain/rollup.ts';
import type { StoredMetricEntry } from '../../shared/storage/run-repository.ts';
import { consistentFrom, FRESH_SEAL_MS, recentSeals, SEAL_LEASE_MS } from '../../shared/use-cases/rollups.ts';
import { seededRandom } from '../support/seeded-random.ts';

/**
 * Readers read the rollup items of the seals that ended in the last
 * FRESH_SEAL_MS consistently, and only those (`r` on a key's entry,
 * shared/use-cases/rollups.ts). Over random timelines of seals (back to back,
 * or with pauses; some rebuilding dirty blocks far below the frontier), a
 * reader at any moment must read consistently every item a seal ended less
 * than FRESH_SEAL_MS ago wrote, and reads eventually what only older seals wrote.
 */

interface Seal {
  claimed: number;
  ended: number;
  /** The lowest step whose items it wrote. */
  from: number;
}

const entryOf = (f: number, g: number, r: number[] | undefined): StoredMetricEntry => ({
  v: '0',
  s: f + 1000,
  t: 0,
  l: 0,
  w: 0,
  n: 0,
  f,
  g,
  ...(r ? { r } : {}),
});

describe('the items of recent seals are read consistently, older ones eventually', () => {
  for (const seed of [1, 2, 3, 4, 5, 6]) {
    test(`random timeline of seals (seed ${seed})`, () => {
      const next = seededRandom(seed);
      let time = 1_800_000_000_000;
      let f = 0;
      // A key sealed long ago (with `r`): no seal is recent.
      let r: number[] | undefined = [0];
      let lastEnd = 0;
      const seals: Seal[] = [];
      let checked = 0;
      let eventual = 0;

      /** A reader now: the entry as the last seal left it (or as a seal in progress claimed it). */
      const read = (now: number, g: number, sealing = false) => {
        const from = consistentFrom(entryOf(f, g, r), now);
        const recent = seals.filter((seal) => seal.ended <= now && now - seal.ended < FRESH_SEAL_MS);
        for (const seal of recent)
          expect(from, `a seal that ended ${now - seal.ended} ms ago`).toBeLessThanOrEqual(seal.from);
        checked++;
        // During a seal its claim hides when the last one ended: the last windows' items count as recent.
        if (sealing) return;
        // Otherwise not everything: what only seals that ended two windows or more before wrote is read
        // eventually (to the block: `r` counts blocks).
        const bound = Math.min(
          ...seals.filter((seal) => now - seal.ended < 2 * FRESH_SEAL_MS).map((seal) => seal.from - ROLLUP_BLOCK_STEPS),
        );
        expect(from).toBeGreaterThanOrEqual(bound);
        if (Number.isFinite(from) && seals.some((seal) => seal.from < from)) eventual++;
      };

      for (let i = 0; i < 300; i++) {
        // Back to back most of the time, sometimes a pause (the writers stopped for a while).
        time += next() < 0.8 ? Math.floor(next() * 150) : Math.floor(next() * 5000);
        read(time, lastEnd);
        const claimed = time;
        time += 20 + Math.floor(next() * 300);
        read(time, claimed + SEAL_LEASE_MS, true);
        // Most seals move the frontier a few blocks; some also rebuild dirty blocks far below it.
        const dirty = next() < 0.1 ? [Math.floor((next() * f) / ROLLUP_BLOCK_STEPS)] : [];
        const recent = recentSeals(entryOf(f, claimed + SEAL_LEASE_MS, r), lastEnd, dirty, time);
        seals.push({ claimed, ended: time, from: Math.min(f, ...dirty.map((block) => block * ROLLUP_BLOCK_STEPS)) });
        f += ROLLUP_BLOCK_STEPS * (1 + Math.floor(next() * 8));
        r = encodeRecentSeals(recent, f);
        lastEnd = time;
        read(time, lastEnd);
        read(time + Math.floor(next() * 3 * FRESH_SEAL_MS), lastEnd);
      }
      expect(checked).toBe(1200);
      expect(eventual).toBeGreaterThan(100);
    });
  }

  test('an entry from before `r`: every item is read consistently while a seal is fresh, none after', () => {
    const now = 1_800_000_000_000;
    expect(consistentFrom(entryOf(4096, now - 10, undefined), now)).toBe(Number.NEGATIVE_INFINITY);
    expect(consistentFrom(entryOf(4096, now - FRESH_SEAL_MS, undefined), now)).toBe(Number.POSITIVE_INFINITY);
    // Its first seal with `r` cannot know what the seals before it wrote: it keeps every step for two windows ...
    const first = encodeRecentSeals(
      recentSeals(entryOf(4096, now + SEAL_LEASE_MS, undefined), now - 10, [], now),
      8192,
    );
    expect(consistentFrom(entryOf(8192, now, first), now + 10)).toBeLessThan(Number.MIN_SAFE_INTEGER + 1024);
    // ... and then only what seals of the last two windows wrote.
    const later = now + FRESH_SEAL_MS;
    const second = encodeRecentSeals(recentSeals(entryOf(8192, later + SEAL_LEASE_MS, first), now, [], later), 12_288);
    const third = encodeRecentSeals(
      recentSeals(entryOf(12_288, later + FRESH_SEAL_MS + SEAL_LEASE_MS, second), later, [], later + FRESH_SEAL_MS),
      16_384,
    );
    expect(decodeRecentSeals(third, 16_384)).toEqual({ last: 12_288, before: 8192 });
    expect(consistentFrom(entryOf(16_384, later + FRESH_SEAL_MS, third), later + FRESH_SEAL_MS + 10)).toBe(8192);
  });

  test('`r` is a few small numbers, decoded never above what was encoded', () => {
    expect(encodeRecentSeals({ last: 1_000_000 - 3 * 512, before: 1_000_000 - 40 * 512 }, 1_000_000)).toEqual([3, 40]);
    expect(encodeRecentSeals({ last: 999_999 }, 1_000_000)).toEqual([1]);
    expect(decodeRecentSeals([1], 1_000_000)).toEqual({ last: 1_000_000 - 512 });
    expect(decodeRecentSeals(undefined, 1_000_000)).toBeUndefined();
  });
});
