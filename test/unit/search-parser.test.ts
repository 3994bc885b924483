import fc from '../support/fast-check.ts';
import { describe, expect, test } from 'vitest';
import { likeToRegExp } from '../../shared/domain/search/evaluate.ts';
import { parseFilter, parseOrderBy, splitOrderBy } from '../../shared/domain/search/parser.ts';
import { decodeSortableNumber, encodeSortableNumber } from '../../shared/domain/search/sortable-number.ts';
import { ValidationError } from '../../shared/errors.ts';

describe('sortable numbers', () => {
  const anyDouble = fc.oneof(
    fc.double(),
    fc.constantFrom(0, -0, Number.MIN_VALUE, -Number.MIN_VALUE, Number.MAX_VALUE, -Number.MAX_VALUE),
    fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY),
  );
  // Numeric order with NaN after +Infinity, as the index stores it.
  const numericOrder = (a: number, b: number) =>
    Number.isNaN(a) ? (Number.isNaN(b) ? 0 : 1) : Number.isNaN(b) ? -1 : a < b ? -1 : a > b ? 1 : 0;
  const stringOrder = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

  test('string order of the encodings is numeric order, for every pair', () => {
    fc.assert(
      fc.property(anyDouble, anyDouble, (a, b) => {
        expect(stringOrder(encodeSortableNumber(a), encodeSortableNumber(b))).toBe(numericOrder(a, b));
      }),
      { numRuns: 5000 },
    );
  });

  test('decoding gives the number back (and -0 as 0)', () => {
    fc.assert(
      fc.property(anyDouble, (value) => {
        expect(Object.is(decodeSortableNumber(encodeSortableNumber(value)), value === 0 ? 0 : value)).toBe(true);
      }),
    );
  });

  test('fixed width, and a few landmarks', () => {
    expect(encodeSortableNumber(-1) < encodeSortableNumber(-0.5)).toBe(true);
    expect(encodeSortableNumber(-0.5) < encodeSortableNumber(0)).toBe(true);
    expect(encodeSortableNumber(1e-300) < encodeSortableNumber(1)).toBe(true);
    expect(encodeSortableNumber(Number.POSITIVE_INFINITY) < encodeSortableNumber(Number.NaN)).toBe(true);
    expect(encodeSortableNumber(-0)).toBe(encodeSortableNumber(0));
    fc.assert(
      fc.property(fc.double({ noNaN: true }), (value) => {
        expect(encodeSortableNumber(value)).toHaveLength(16);
      }),
    );
  });
});

describe('filter parser', () => {
  test('the seeds and MLflow forms', () => {
    expect(parseFilter("params.model_type = 'xgboost' AND metrics.accuracy > 0.85")).toEqual([
      { field: { kind: 'param', key: 'model_type' }, op: '=', value: 'xgboost' },
      { field: { kind: 'metric', key: 'accuracy' }, op: '>', value: 0.85 },
    ]);
    expect(parseFilter('metrics.accuracy>0.9')).toEqual([
      { field: { kind: 'metric', key: 'accuracy' }, op: '>', value: 0.9 },
    ]);
    expect(parseFilter('tags.k != \'v\' and status = "FINISHED"')).toEqual([
      { field: { kind: 'tag', key: 'k' }, op: '!=', value: 'v' },
      { field: { kind: 'attribute', name: 'status' }, op: '=', value: 'FINISHED' },
    ]);
    expect(parseFilter("run_id IN ('a', \"b\") AND attributes.run_name NOT  IN ('x')")).toEqual([
      { field: { kind: 'attribute', name: 'run_id' }, op: 'IN', value: ['a', 'b'] },
      { field: { kind: 'attribute', name: 'run_name' }, op: 'NOT IN', value: ['x'] },
    ]);
    expect(
      parseFilter('metric.`val loss` <= -1.5e-3 AND metrics."a.b/c" >= +2 AND start_time > 1700000000000'),
    ).toEqual([
      { field: { kind: 'metric', key: 'val loss' }, op: '<=', value: -0.0015 },
      { field: { kind: 'metric', key: 'a.b/c' }, op: '>=', value: 2 },
      { field: { kind: 'attribute', name: 'start_time' }, op: '>', value: 1_700_000_000_000 },
    ]);
    expect(parseFilter("params.p LIKE 'a%' AND tags.t ilike '%X_' AND params.`we'ird` = 'it\\'s'")).toEqual([
      { field: { kind: 'param', key: 'p' }, op: 'LIKE', value: 'a%' },
      { field: { kind: 'tag', key: 't' }, op: 'ILIKE', value: '%X_' },
      { field: { kind: 'param', key: "we'ird" }, op: '=', value: "it's" },
    ]);
    // A doubled quote stays two quotes, as MLflow's tokenizer leaves it.
    expect(parseFilter(`tags.t = 'it''s' AND params.p = "a""b" AND tags.e = ''`)).toEqual([
      { field: { kind: 'tag', key: 't' }, op: '=', value: "it''s" },
      { field: { kind: 'param', key: 'p' }, op: '=', value: 'a""b' },
      { field: { kind: 'tag', key: 'e' }, op: '=', value: '' },
    ]);
    expect(parseFilter('params.lr IS NULL AND tags.`a b` is  not   null AND metrics.m IS NULL')).toEqual([
      { field: { kind: 'param', key: 'lr' }, op: 'IS NULL' },
      { field: { kind: 'tag', key: 'a b' }, op: 'IS NOT NULL' },
      { field: { kind: 'metric', key: 'm' }, op: 'IS NULL' },
    ]);
    expect(
      parseFilter("datasets.name = 'train' AND dataset.context IN ('training') AND datasets.digest LIKE 'ab%'"),
    ).toEqual([
      { field: { kind: 'dataset', part: 'name' }, op: '=', value: 'train' },
      { field: { kind: 'dataset', part: 'context' }, op: 'IN', value: ['training'] },
      { field: { kind: 'dataset', part: 'digest' }, op: 'LIKE', value: 'ab%' },
    ]);
    // MLflow keeps the user as the mlflow.user tag.
    expect(parseFilter("attributes.user_id = 'ann' AND user_id != 'bob'")).toEqual([
      { field: { kind: 'tag', key: 'mlflow.user' }, op: '=', value: 'ann' },
      { field: { kind: 'tag', key: 'mlflow.user' }, op: '!=', value: 'bob' },
    ]);
    expect(parseFilter('   ')).toEqual([]);
    expect(parseFilter('metrics.a.b.c = 1')[0]?.field).toEqual({ kind: 'metric', key: 'a.b.c' });
  });

  const failure = (filter: string) => {
    try {
      parseFilter(filter);
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).code).toBe('filter.invalid');
      return (error as Error).message;
    }
    throw new Error(`'${filter}' parsed`);
  };

  test('syntax errors say where and what was expected', () => {
    expect(failure('metrics.accuracy 0.9')).toMatch(/^filter: expected an operator .* at position 17, found '0.9'$/);
    expect(failure('metrics.accuracy >')).toBe(
      'filter: expected a number to compare metrics.accuracy with at position 18, found the end',
    );
    expect(failure('metrics.a > 1 OR metrics.b > 2')).toBe(
      'filter: OR is not supported (only AND); found OR at position 14',
    );
    expect(failure('metrics.a > 1 metrics.b > 2')).toMatch(/expected AND or the end of the filter at position 14/);
    expect(failure("params.p = 'open")).toMatch(/unterminated string starting at position 11/);
    expect(failure('metrics.`open = 1')).toMatch(/unterminated quoted key starting at position 8/);
    expect(failure('foo.bar = 1')).toMatch(/unknown prefix 'foo' .* at position 0/);
    expect(failure('colour = 1')).toMatch(/unknown attribute 'colour'/);
    expect(failure('attributes.colour = 1')).toMatch(/unknown attribute 'colour' .* at position 11/);
    expect(failure("metrics.a = 'x'")).toMatch(/expected a number to compare metrics.a with at position 12/);
    expect(failure('params.a = 1')).toMatch(/expected a quoted string to compare params.a with at position 11/);
    expect(failure("metrics.a LIKE '1'")).toMatch(
      /metrics.a is a number: use =, !=, <, <=, > or >=, not LIKE at position 10/,
    );
    expect(failure("duration = '5'")).toMatch(/expected a number to compare duration with at position 11/);
    expect(failure("params.a > 'x'")).toMatch(/params.a is a string: use .* not > at position 9/);
    expect(failure("params.a IN 'x'")).toMatch(/expected '\(' to open the list of IN at position 12/);
    expect(failure("params.a IN ('x' 'y')")).toMatch(/expected ',' or '\)' at position 17/);
    expect(failure('metrics. = 1')).toMatch(/expected a key after the prefix/);
    expect(failure('metrics = 1')).toMatch(/expected '.' after 'metrics'/);
    expect(failure('metrics.a = 1abc')).toMatch(/expected a number/);
    expect(failure("datasets.size = '1'")).toMatch(/unknown dataset field 'size' .* at position 9/);
    expect(failure('datasets.name IS NULL')).toMatch(/datasets.name is a list: IS NULL applies to .* at position 14/);
    expect(failure('components.name IS NOT NULL')).toMatch(/components.name is a list/);
    expect(failure('params.a IS 1')).toMatch(/expected an operator \(.*IS NULL, IS NOT NULL\) at position 9/);
  });

  test('bounded length, clause count and IN lists', () => {
    expect(failure('x'.repeat(40_001))).toMatch(/at most 40000 characters/);
    expect(failure(Array.from({ length: 51 }, (_, i) => `metrics.m${i} > 0`).join(' AND '))).toMatch(
      /at most 50 clauses/,
    );
    expect(failure(`params.p IN (${Array.from({ length: 1001 }, () => "'v'").join(',')})`)).toMatch(
      /at most 1000 values/,
    );
  });

  test('arbitrary input never throws anything but a ValidationError', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (text) => {
        try {
          parseFilter(text);
        } catch (error) {
          expect(error).toBeInstanceOf(ValidationError);
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('order_by', () => {
  test('keys, directions and splitting', () => {
    expect(parseOrderBy(['metrics.f1_score DESC', 'start_time', 'params.`a b` asc'])).toEqual([
      { field: { kind: 'metric', key: 'f1_score' }, descending: true },
      { field: { kind: 'attribute', name: 'start_time' }, descending: false },
      { field: { kind: 'param', key: 'a b' }, descending: false },
    ]);
    expect(parseOrderBy(['duration DESC', 'attributes.duration'])).toEqual([
      { field: { kind: 'attribute', name: 'duration' }, descending: true },
      { field: { kind: 'attribute', name: 'duration' }, descending: false },
    ]);
    expect(splitOrderBy('metrics.`a,b` DESC,start_time')).toEqual(['metrics.`a,b` DESC', 'start_time']);
    // MLflow's other spellings: created for start_time, its web app's 'Run name' for run_name.
    expect(parseOrderBy(['created DESC', 'attributes.Created', 'attributes.`Run Name`'])).toEqual([
      { field: { kind: 'attribute', name: 'start_time' }, descending: true },
      { field: { kind: 'attribute', name: 'start_time' }, descending: false },
      { field: { kind: 'attribute', name: 'run_name' }, descending: false },
    ]);
    expect(parseFilter("attributes.`run name` = 'a' AND created > 5")).toEqual(
      parseFilter("attributes.run_name = 'a' AND attributes.start_time > 5"),
    );
    // Quoted without a prefix, as the README writes it and MLflow reads it (an attribute).
    expect(parseFilter("`Run name` = 'a' AND `created` > 5")).toEqual(
      parseFilter("attributes.run_name = 'a' AND attributes.start_time > 5"),
    );
    expect(() => parseFilter("`nope` = 'a'")).toThrow(/unknown attribute 'nope'/);
    expect(() => parseOrderBy(['metrics.f1 DOWN'])).toThrow(
      /order_by: expected ASC, DESC or the end of the order key at position 11/,
    );
    expect(() => parseOrderBy(['metrics.f1 DESC x'])).toThrow(/expected the end of the order key at position 16/);
  });
});

test('LIKE patterns', () => {
  expect(likeToRegExp('a%c', false).test('abbbc')).toBe(true);
  expect(likeToRegExp('a_c', false).test('abc')).toBe(true);
  expect(likeToRegExp('a_c', false).test('abbc')).toBe(false);
  expect(likeToRegExp('A%', false).test('abc')).toBe(false);
  expect(likeToRegExp('A%', true).test('abc')).toBe(true);
  expect(likeToRegExp('1.5*(x)', false).test('1.5*(x)')).toBe(true);
  expect(likeToRegExp('1.5', false).test('105')).toBe(false);
});
