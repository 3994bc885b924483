import { expect, test } from 'vitest';
import { metricValueSchema } from '../../shared/http/schemas/metric-values.ts';
import { logMetricsBody } from '../../shared/http/schemas/metrics.ts';
import { logParamsBody } from '../../shared/http/schemas/params.ts';
import { updateRunBody } from '../../shared/http/schemas/run-update.ts';
import { boundedJsonObject, jsonDepthAtMost } from '../../shared/http/schemas/text.ts';

test('metric values accept numbers and the three non-finite spellings', () => {
  expect(metricValueSchema.parse(0.5)).toBe(0.5);
  expect(metricValueSchema.parse('NaN')).toBeNaN();
  expect(metricValueSchema.parse('Infinity')).toBe(Number.POSITIVE_INFINITY);
  expect(metricValueSchema.parse('-infinity')).toBe(Number.NEGATIVE_INFINITY);
  expect(metricValueSchema.safeParse('0.5').success).toBe(false);
  expect(metricValueSchema.safeParse(null).success).toBe(false);
});

test('no other string is a metric value: undocumented spellings and prototype names are refused', () => {
  for (const spelling of ['inf', '-inf', '+Infinity', ' NaN', 'NaN ', 'Inf', 'infinite', 'nan()', '']) {
    expect(metricValueSchema.safeParse(spelling).success, spelling).toBe(false);
  }
  for (const name of ['constructor', '__proto__', 'toString', 'valueOf', 'hasOwnProperty', '__defineGetter__']) {
    expect(metricValueSchema.safeParse(name).success, name).toBe(false);
  }
});

test('params are stored as the string form of JSON scalars', () => {
  expect(logParamsBody.parse({ params: { n: 100, lr: 0.01, flag: true, s: 'x' } }).params).toEqual({
    n: '100',
    lr: '0.01',
    flag: 'true',
    s: 'x',
  });
  expect(logParamsBody.safeParse({ params: { big: 'x'.repeat(6001) } }).success).toBe(false);
  expect(logParamsBody.safeParse({ params: {} }).success).toBe(false);
  expect(logParamsBody.safeParse({ params: { ['k'.repeat(251)]: 1 } }).success).toBe(false);
});

test('COMPLETED is accepted as FINISHED, RUNNING is not an end status', () => {
  expect(updateRunBody.parse({ status: 'COMPLETED' }).status).toBe('FINISHED');
  expect(updateRunBody.safeParse({ status: 'RUNNING' }).success).toBe(false);
});

test('metrics: both the single and the batch form, bounded to 1,000 points and safe-integer steps', () => {
  expect(logMetricsBody.safeParse({ metric_name: 'a', metric_value: 1 }).success).toBe(true);
  const point = { key: 'a', value: 1 };
  expect(logMetricsBody.safeParse({ metrics: Array(1000).fill(point) }).success).toBe(true);
  expect(logMetricsBody.safeParse({ metrics: Array(1001).fill(point) }).success).toBe(false);
  expect(logMetricsBody.safeParse({ metrics: [{ ...point, step: 2 ** 53 }] }).success).toBe(false);
  expect(logMetricsBody.safeParse({ metrics: [{ ...point, step: 1.5 }] }).success).toBe(false);
  expect(logMetricsBody.safeParse({ metrics: [{ ...point, extra: 1 }] }).success).toBe(false);
});

test('strings with lone surrogates are refused wherever text is accepted', () => {
  expect(logParamsBody.safeParse({ params: { ['k\ud800']: 1 } }).success).toBe(false);
  expect(logParamsBody.safeParse({ params: { k: 'v\udc00' } }).success).toBe(false);
  expect(logParamsBody.safeParse({ params: { k: 'v\ud83d\ude42' } }).success).toBe(true);
});

test('free-form JSON past its bounds is refused, never a RangeError: deep, wide, or many bytes', () => {
  const schema = boundedJsonObject(1024, 4);
  let deep: Record<string, unknown> = {};
  for (let level = 0; level < 100_000; level++) deep = { a: deep };
  const refusals: Array<[unknown, RegExp]> = [
    [deep, /nest at most 4/],
    [{ a: { b: { c: { d: {} } } } }, /nest at most 4/],
    [{ a: [[[[]]]] }, /nest at most 4/],
    [{ wide: new Array(500_000).fill(0) }, /at most 1024 bytes/],
    [{ text: 'é'.repeat(600) }, /at most 1024 bytes/],
  ];
  for (const [value, message] of refusals) {
    const parsed = schema.safeParse(value);
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((issue) => issue.message).join()).toMatch(message);
  }
  expect(schema.safeParse({ a: { b: { c: {} } }, list: [1, [2]], text: 'é'.repeat(400) }).success).toBe(true);
  expect(jsonDepthAtMost(5, 0)).toBe(true);
  expect(jsonDepthAtMost({}, 0)).toBe(false);
});
