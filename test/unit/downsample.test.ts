import { expect, test } from 'vitest';
import { downsampleMinMax } from '../../shared/domain/downsample.ts';

const series = (values: number[]) => values.map((value, step) => ({ step, timestamp: step, value }));

test('returns short series unchanged', () => {
  const points = series([1, 2, 3]);
  expect(downsampleMinMax(points, 10)).toEqual(points);
});

test('keeps every bucket extreme, so a single spike survives', () => {
  const values = Array.from({ length: 10_000 }, (_, i) => Math.sin(i / 100));
  values[4321] = 50;
  values[8765] = -50;
  const reduced = downsampleMinMax(series(values), 200);
  expect(reduced.length).toBeLessThanOrEqual(200);
  expect(reduced.some((p) => p.value === 50 && p.step === 4321)).toBe(true);
  expect(reduced.some((p) => p.value === -50 && p.step === 8765)).toBe(true);
  const steps = reduced.map((p) => p.step);
  expect(steps).toEqual([...steps].sort((a, b) => a - b));
});

test('ignores NaN in comparisons but keeps a bucket made only of NaN', () => {
  const values = [Number.NaN, Number.NaN, Number.NaN, Number.NaN, 1, Number.NaN, 3, 2];
  const reduced = downsampleMinMax(series(values), 4);
  expect(reduced.map((p) => p.step)).toEqual([0, 4, 6]);
});
