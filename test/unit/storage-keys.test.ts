import { expect, test } from 'vitest';
import { encodeStep, encodeTime, metricChunkKey, metricHistoryPartition, runKey } from '../../shared/storage/keys.ts';

test('step encoding sorts as numbers do, negatives and safe-integer extremes included', () => {
  const steps = [Number.MIN_SAFE_INTEGER, -1_000_000, -2, -1, 0, 1, 2, 10, 99, 100, 1e12, Number.MAX_SAFE_INTEGER];
  const encoded = steps.map(encodeStep);
  expect([...encoded].sort()).toEqual(encoded);
  expect(new Set(encoded.map((e) => e.length)).size).toBe(1);
});

test('time encoding sorts as numbers do', () => {
  const times = [0, 1, 999, 1_700_000_000_000, 1_800_000_000_000];
  const encoded = times.map(encodeTime);
  expect([...encoded].sort()).toEqual(encoded);
});

test('a metric key containing the separator cannot reach another key or run', () => {
  expect(metricHistoryPartition('w', 'r1', 'a#b')).not.toBe(metricHistoryPartition('w', 'r1', 'a'));
  expect(metricChunkKey('w', 'r1', 'loss', 5, 'batch', 0).pk).toBe(metricHistoryPartition('w', 'r1', 'loss'));
  expect(runKey('ws1', 'r').pk).not.toBe(runKey('ws2', 'r').pk);
});
