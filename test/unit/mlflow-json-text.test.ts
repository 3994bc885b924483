import { expect, test } from 'vitest';
import { numberTextAt } from '../../shared/http/mlflow/json-text.ts';
import fc from '../support/fast-check.ts';

/**
 * numberTextAt finds how the client spelled the number at a path, for MLflow's
 * quoting of refused numbers (`9.0`, which JSON.parse makes 9).
 */

test('a number keeps its spelling at any depth; strings holding digits and brackets are text', () => {
  const text = ' { "a" : [ 1 , 9.0 , {"b": -0.0e+00} ] , "s": "x\\" 7.0 ]},", "n":null, "7.5": 1E+2}\n';
  expect(numberTextAt(text, ['a', 0])).toBe('1');
  expect(numberTextAt(text, ['a', 1])).toBe('9.0');
  expect(numberTextAt(text, ['a', 2, 'b'])).toBe('-0.0e+00');
  expect(numberTextAt(text, ['7.5'])).toBe('1E+2');
});

test('the last of duplicate keys counts, as in JSON.parse; escaped key names match', () => {
  expect(numberTextAt('{"v": 1.0, "v": 2.50}', ['v'])).toBe('2.50');
  expect(numberTextAt('{"\\u0076": 3.0}', ['v'])).toBe('3.0');
});

test('a path the document does not have is undefined', () => {
  for (const path of [['x'], ['a', 5], ['a', 'b'], [0], ['a', 0, 'c'], ['a', 'length']]) {
    expect(numberTextAt('{"a": [1, 2]}', path)).toBeUndefined();
  }
});

/** The JSON text of `value` with random whitespace and numbers spelled in other ways, and each number's spelling by path. */
function spell(
  value: unknown,
  space: () => string,
  variant: () => number,
  path: PropertyKey[],
  spellings: Map<string, string>,
): string {
  if (Array.isArray(value)) {
    const items = value.map((item, index) => spell(item, space, variant, [...path, index], spellings));
    return `[${space()}${items.join(`${space()},${space()}`)}${space()}]`;
  }
  if (typeof value === 'object' && value !== null) {
    const members = Object.entries(value).map(
      ([key, item]) =>
        `${JSON.stringify(key)}${space()}:${space()}${spell(item, space, variant, [...path, key], spellings)}`,
    );
    return `{${space()}${members.join(`${space()},${space()}`)}${space()}}`;
  }
  if (typeof value !== 'number') return JSON.stringify(value);
  const plain = JSON.stringify(value);
  // Other spellings of the same number: a decimal point, an exponent (only where the plain one has neither).
  const bare = !/[.e]/.test(plain);
  const spelled = [plain, bare ? `${plain}.0` : plain, bare ? `${plain}E0` : plain, bare ? `${plain}.00e+00` : plain][
    variant() % 4
  ] as string;
  spellings.set(JSON.stringify(path), spelled);
  return spelled;
}

test('every number of any document is found as it was spelled', () => {
  fc.assert(
    fc.property(
      fc.jsonValue(),
      fc.array(fc.constantFrom('', ' ', '\n', '\t ', '\r\n'), { minLength: 1 }),
      fc.array(fc.nat(), { minLength: 1 }),
      (value, spaces, variants) => {
        let nextSpace = 0;
        let nextVariant = 0;
        const spellings = new Map<string, string>();
        const text = spell(
          value,
          () => spaces[nextSpace++ % spaces.length] as string,
          () => variants[nextVariant++ % variants.length] as number,
          [],
          spellings,
        );
        for (const [path, spelled] of spellings) {
          expect(numberTextAt(text, JSON.parse(path) as PropertyKey[]), path).toBe(spelled);
        }
      },
    ),
    { numRuns: 300 },
  );
});
