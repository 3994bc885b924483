import { describe, expect, test } from 'vitest';
import { decodeMetricChunk, encodeMetricChunk, type MetricPoint } from '../../shared/domain/metric-chunk.ts';

describe('metric chunk codec', () => {
  test('round-trips values exactly, including NaN, infinities, -0 and extremes', () => {
    const points: MetricPoint[] = [
      { step: 0, timestamp: 1_700_000_000_000, value: 0.1 },
      { step: 1, timestamp: 1_700_000_000_001, value: Number.NaN },
      { step: 2, timestamp: 1_700_000_000_001, value: Number.POSITIVE_INFINITY },
      { step: 3, timestamp: 1_700_000_000_000, value: Number.NEGATIVE_INFINITY },
      { step: 4, timestamp: 0, value: -0 },
      { step: Number.MAX_SAFE_INTEGER, timestamp: 8_640_000_000_000_000, value: Number.MAX_VALUE },
      { step: Number.MIN_SAFE_INTEGER, timestamp: 5, value: Number.MIN_VALUE },
    ];
    const decoded = decodeMetricChunk(encodeMetricChunk(points));
    expect(decoded).toHaveLength(points.length);
    decoded.forEach((point, i) => {
      expect(point.step).toBe(points[i]?.step);
      expect(point.timestamp).toBe(points[i]?.timestamp);
      expect(Object.is(point.value, points[i]?.value)).toBe(true);
    });
  });

  test('packs a typical batch of consecutive steps in about ten bytes a point', () => {
    const points = Array.from({ length: 100 }, (_, i) => ({
      step: 500 + i,
      timestamp: 1_700_000_000_000 + i,
      value: Math.random(),
    }));
    const bytes = encodeMetricChunk(points);
    expect(bytes.length).toBeLessThan(100 * 11);
    expect(decodeMetricChunk(bytes)).toEqual(points);
  });

  test('round-trips an empty chunk', () => {
    expect(decodeMetricChunk(encodeMetricChunk([]))).toEqual([]);
  });

  test('rejects truncated input and unknown versions', () => {
    const bytes = encodeMetricChunk([{ step: 1, timestamp: 2, value: 3 }]);
    expect(() => decodeMetricChunk(bytes.slice(0, bytes.length - 1))).toThrow(/truncated/);
    const future = bytes.slice();
    future[0] = 9;
    expect(() => decodeMetricChunk(future)).toThrow(/version/);
  });
});
