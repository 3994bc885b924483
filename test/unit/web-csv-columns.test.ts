import { expect, test } from 'vitest';
import { numericColumns, parseCsv } from '../../web/src/components/csv.ts';

test("a CSV preview's numeric columns: numbers as pandas writes them, gaps and NaN allowed, one word makes text", () => {
  const rows = parseCsv(['1,0.5,a,,nan', '2,-1e-05,b,,inf', '3,.25,7,,-Infinity', '4,,c,,nan'].join('\n'), 10);
  expect(numericColumns(rows)).toEqual([true, true, false, false, false]);
  expect(numericColumns([])).toEqual([]);
  // Ragged rows: a cell a short row lacks is empty, not text.
  expect(numericColumns([['1', 'x'], ['2']])).toEqual([true, false]);
});
