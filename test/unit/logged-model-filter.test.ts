import fc from '../support/fast-check.ts';
import { describe, expect, test } from 'vitest';
import type { LoggedModel } from '../../shared/domain/logged-models.ts';
import {
  loggedModelComparator,
  loggedModelMatches,
  parseLoggedModelFilter,
  parseLoggedModelOrder,
} from '../../shared/domain/search/logged-model-filter.ts';
import { ValidationError } from '../../shared/errors.ts';

const model = (overrides: Partial<LoggedModel>): LoggedModel => ({
  modelId: 'm-1',
  experimentId: '1',
  name: 'model',
  modelType: undefined,
  sourceRunId: 'r',
  status: 'READY',
  params: {},
  tags: {},
  createdAt: 1,
  updatedAt: 1,
  metrics: [],
  ...overrides,
});
const metric = (key: string, value: number, timestamp: number, datasetName?: string) => ({
  key,
  value,
  step: 0,
  timestamp,
  runId: 'r',
  datasetName,
  datasetDigest: undefined,
});

describe('logged-model filter', () => {
  test('MLflow forms parse into clauses', () => {
    expect(
      parseLoggedModelFilter("metrics.`val acc` >= 0.5 AND params.depth = '3' AND attributes.status = 'READY'"),
    ).toEqual([
      { field: { kind: 'metric', key: 'val acc' }, op: '>=', value: 0.5 },
      { field: { kind: 'param', key: 'depth' }, op: '=', value: '3' },
      { field: { kind: 'attribute', name: 'status' }, op: '=', value: 'READY' },
    ]);
    expect(parseLoggedModelFilter('creation_timestamp > 1e3 and tags.t ilike "%x%"')).toEqual([
      { field: { kind: 'attribute', name: 'creation_timestamp' }, op: '>', value: 1000 },
      { field: { kind: 'tag', key: 't' }, op: 'ILIKE', value: '%x%' },
    ]);
  });

  test("attributes take IN and NOT IN a list, and a model without a type has MLflow's '' (as its server answers)", () => {
    const clauses = parseLoggedModelFilter(
      `name IN ('a', "b\\'s") AND attributes.status not in ('LOGGED_MODEL_PENDING')`,
    );
    expect(clauses).toEqual([
      { field: { kind: 'attribute', name: 'name' }, op: 'IN', value: ['a', "b's"] },
      { field: { kind: 'attribute', name: 'status' }, op: 'NOT IN', value: ['LOGGED_MODEL_PENDING'] },
    ]);
    expect(loggedModelMatches(model({ name: 'a' }), clauses)).toBe(true);
    expect(loggedModelMatches(model({ name: "b's" }), clauses)).toBe(true);
    expect(loggedModelMatches(model({ name: 'c' }), clauses)).toBe(false);
    expect(loggedModelMatches(model({ name: 'a', status: 'PENDING' }), clauses)).toBe(false);
    expect(loggedModelMatches(model({}), parseLoggedModelFilter("model_type = ''"))).toBe(true);
    expect(loggedModelMatches(model({ modelType: 'agent' }), parseLoggedModelFilter("model_type IN ('agent')"))).toBe(
      true,
    );
    // As MLflow's server: not for numbers, params or tags.
    for (const filter of ['creation_timestamp IN (1)', "creation_timestamp IN ('1')", "tags.t IN ('x')"]) {
      expect(() => parseLoggedModelFilter(filter), filter).toThrow(ValidationError);
    }
  });

  test('a prototype-named key is a key like any other', () => {
    const clauses = parseLoggedModelFilter("params.__proto__ = 'x' AND tags.constructor = 'y'");
    expect(loggedModelMatches(model({}), clauses)).toBe(false);
    const hostile = model({
      params: Object.fromEntries([['__proto__', 'x']]),
      tags: Object.fromEntries([['constructor', 'y']]),
    });
    expect(loggedModelMatches(hostile, clauses)).toBe(true);
  });

  test('a metric clause holds on any dataset, or only on those asked for', () => {
    const found = model({ metrics: [metric('acc', 0.9, 1, 'eval'), metric('acc', 0.2, 2, 'train')] });
    const clauses = parseLoggedModelFilter('metrics.acc > 0.5');
    expect(loggedModelMatches(found, clauses)).toBe(true);
    expect(loggedModelMatches(found, clauses, [{ name: 'train' }])).toBe(false);
    expect(loggedModelMatches(found, clauses, [{ name: 'eval' }])).toBe(true);
  });

  test('datasets without a metric clause keep the models measured on them, as on MLflow', () => {
    const measured = model({ metrics: [metric('acc', 0.9, 1, 'eval')] });
    const unmeasured = model({ metrics: [metric('acc', 0.9, 1)] });
    const byParam = parseLoggedModelFilter("params.depth != 'x'");
    expect(loggedModelMatches(measured, [], [{ name: 'eval' }])).toBe(true);
    expect(loggedModelMatches(unmeasured, [], [{ name: 'eval' }])).toBe(false);
    expect(loggedModelMatches(measured, [], [{ name: 'train' }])).toBe(false);
    expect(
      loggedModelMatches(model({ params: { depth: '3' }, metrics: measured.metrics }), byParam, [{ name: 'eval' }]),
    ).toBe(true);
    expect(loggedModelMatches(model({ params: { depth: '3' } }), byParam, [{ name: 'eval' }])).toBe(false);
    expect(loggedModelMatches(unmeasured, [])).toBe(true);
  });

  test('order: the latest value of the metric, missing last, then newest first, then id', () => {
    const a = model({ modelId: 'm-a', createdAt: 1, metrics: [metric('acc', 0.5, 1), metric('acc', 0.7, 2, 'x')] });
    const b = model({ modelId: 'm-b', createdAt: 2, metrics: [metric('acc', 0.6, 1)] });
    const c = model({ modelId: 'm-c', createdAt: 3 });
    const d = model({ modelId: 'm-d', createdAt: 2, metrics: [metric('acc', 0.6, 1)] });
    const sorted = (order: Parameters<typeof parseLoggedModelOrder>[0]) =>
      [c, b, a, d].sort(loggedModelComparator(parseLoggedModelOrder(order))).map((found) => found.modelId);
    expect(sorted([{ field_name: 'metrics.acc', ascending: false }])).toEqual(['m-a', 'm-b', 'm-d', 'm-c']);
    expect(sorted([{ field_name: 'metrics.acc', ascending: true }])).toEqual(['m-b', 'm-d', 'm-a', 'm-c']);
    expect(sorted([])).toEqual(['m-c', 'm-b', 'm-d', 'm-a']);
  });

  test('arbitrary input never throws anything but a ValidationError', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (text) => {
        try {
          parseLoggedModelFilter(text);
        } catch (error) {
          expect(error).toBeInstanceOf(ValidationError);
        }
      }),
      { numRuns: 2000 },
    );
    expect(() => parseLoggedModelFilter(`params.p = '${'\\'.repeat(5000)}`)).toThrow(ValidationError);
  });
});
