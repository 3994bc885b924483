import { describe, expect, test } from 'vitest';
import { ROLLUP_BLOCK_STEPS } from '../../shared/domain/rollup.ts';
import type { StoredMetricEntry } from '../../shared/storage/run-repository.ts';
import { consistentFrom, FRESH_SEAL_MS, recentSeals, SEAL_LEASE_MS } from '../../shared/use-cases/rollups.ts';

/**
 * Readers read the rollup items of the seals that ended in the last
 * FRESH_SEAL_MS consistently, and only those (`r` on a key's entry,
 * shared/use-cases/rollups.ts). Over random timelines of seals (back to back,
 * or with pauses; some rebuilding dirty blocks far below the frontier), a
 * reader at any moment must read consistently every item a seal ended less
 * than FRESH_SEAL_MS ago wrote, and reads eventually what only older seals wrote.
 */

/** A small seeded generator, so a failure can be replayed. */
function random(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

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
      const next = random(seed);
      let time = 1_800_000_000_000;
      let f = 0;
      // A key sealed long ago (with `r`): no seal is recent.
      let r: number[] | undefined = [time - 10 * FRESH_SEAL_MS, 0];
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
        // Otherwise not everything: what only seals that ended long before wrote (two windows of a fresh
        // interval and a pause each at most) is read eventually.
        const window = 2 * (FRESH_SEAL_MS + 5000 + 320);
        const bound = Math.min(...seals.filter((seal) => now - seal.ended < window).map((seal) => seal.from));
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
        const claimedEntry = entryOf(f, claimed + SEAL_LEASE_MS, r);
        r = recentSeals(claimedEntry, dirty, time);
        seals.push({ claimed, ended: time, from: Math.min(f, ...dirty.map((block) => block * ROLLUP_BLOCK_STEPS)) });
        f += ROLLUP_BLOCK_STEPS * (1 + Math.floor(next() * 8));
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
    // Its first seal with `r` cannot know what the seals before it wrote: it keeps every step for one window.
    const r = recentSeals(entryOf(4096, now + SEAL_LEASE_MS, undefined), [], now);
    expect(consistentFrom(entryOf(8192, now, r), now + 10)).toBe(Number.MIN_SAFE_INTEGER);
    // The next window keeps the last one's lowest step, the one before is dropped.
    const later = recentSeals(entryOf(8192, now + FRESH_SEAL_MS + SEAL_LEASE_MS, r), [], now + FRESH_SEAL_MS);
    expect(consistentFrom(entryOf(12_288, now + FRESH_SEAL_MS, later), now + FRESH_SEAL_MS + 10)).toBe(4096);
    const last = recentSeals(
      entryOf(12_288, now + 2 * FRESH_SEAL_MS + SEAL_LEASE_MS, later),
      [],
      now + 2 * FRESH_SEAL_MS,
    );
    expect(consistentFrom(entryOf(16_384, now + 2 * FRESH_SEAL_MS, last), now + 2 * FRESH_SEAL_MS + 10)).toBe(8192);
    // Once the window before is over, only the current one's.
    expect(consistentFrom(entryOf(16_384, now + 3 * FRESH_SEAL_MS - 10, last), now + 3 * FRESH_SEAL_MS)).toBe(12_288);
  });
});
