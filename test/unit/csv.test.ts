import { expect, test } from 'vitest';
import { toCsv } from '../../shared/http/csv.ts';
import { preferredMediaType } from '../../shared/http/handler.ts';

test('CSV quotes what needs quoting and defuses formulas, not numbers', () => {
  expect(
    toCsv(
      ['a', 'b'],
      [
        ['x,y', 'say "hi"'],
        [-1.5, null],
        ['=cmd()', '@x'],
        [Number.NaN, 'line\nbreak'],
      ],
    ),
  ).toBe('a,b\r\n"x,y","say ""hi"""\r\n-1.5,\r\n\'=cmd(),\'@x\r\nNaN,"line\nbreak"\r\n');
});

test('Accept negotiation picks an alternative only when it outranks JSON', () => {
  const csv = ['text/csv'];
  expect(preferredMediaType(undefined, csv)).toBeUndefined();
  expect(preferredMediaType('text/csv', csv)).toBe('text/csv');
  expect(preferredMediaType('text/csv; charset=utf-8', csv)).toBe('text/csv');
  expect(preferredMediaType('application/json, text/csv;q=0.5', csv)).toBeUndefined();
  expect(preferredMediaType('application/json;q=0.2, text/csv', csv)).toBe('text/csv');
  expect(preferredMediaType('*/*', csv)).toBeUndefined();
  expect(preferredMediaType('text/html', csv)).toBeUndefined();
  expect(preferredMediaType('text/csv', [])).toBeUndefined();
});
