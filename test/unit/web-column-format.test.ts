import { expect, test } from 'vitest';
import { columnFormat } from '../../web/src/format.ts';

test('a column of metric values shares its decimals, so digits line up by place', () => {
  const accuracy = columnFormat([0.95326, 0.82, 0.080594, 'NaN', null]);
  expect([0.95326, 0.82, 0.080594].map(accuracy)).toEqual(['0.95326', '0.82000', '0.08059']);
  expect(accuracy('NaN')).toBe('NaN');
  expect(accuracy('Infinity')).toBe('∞');
  expect(accuracy(null)).toBe('—');
  expect(accuracy(0)).toBe('0.00000');
  // Too small for the column's decimals: not shown as 0.00000.
  expect(accuracy(3e-7)).toBe('3.000e-7');
  const loss = columnFormat([2.3, 0.02]);
  expect([2.3, 0.02, 12.5].map(loss)).toEqual(['2.3000', '0.0200', '12.5000']);
  expect(columnFormat([1234.5, 10])(1234.5)).toBe('1,234.5');
});

test('whole numbers, huge and tiny columns keep their own form', () => {
  expect([120, 4096].map(columnFormat([120, 4096]))).toEqual(['120', '4,096']);
  expect(columnFormat([2.5e8, 1e7])(2.5e8)).toBe('2.500e+8');
  expect(columnFormat([2.5e-5, 1e-4])(2.5e-5)).toBe('2.500e-5');
  expect(columnFormat([])(0.5)).toBe('0.5');
});
